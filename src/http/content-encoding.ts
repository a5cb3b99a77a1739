/**
 * Request bodies the client compressed: the Convex CLI sends every push
 * request brotli-compressed (`Content-Encoding: br`, still
 * `Content-Type: application/json`; convex-cli-and-guarantees.md §1.2), and
 * gzip is accepted too. A body decodes to at most `MAX_DECODED_BYTES`: a
 * compressed body a hundredth of that size could otherwise claim the
 * server's memory. An unknown encoding, or bytes that do not decode, is a
 * 400, as on Convex.
 */
import { brotliDecompress, gunzip } from 'node:zlib';
import { type SystemError, badRequest, systemError } from './system-error.ts';

/**
 * 256 MiB: room for the largest apps pushed to Convex (an 88 MB bundle with
 * its source maps), and a string V8 can still parse as JSON.
 */
export const MAX_DECODED_BYTES = 256 * 1024 * 1024;

function decode(
  name: 'br' | 'gzip',
  body: Buffer,
  maxBytes: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, result: Buffer): void => {
      if (error) reject(error);
      else resolve(result);
    };
    const options = { maxOutputLength: maxBytes };
    if (name === 'br') brotliDecompress(body, options, done);
    else gunzip(body, options, done);
  });
}

export type Decoded =
  { success: true; body: Buffer } | { success: false; error: SystemError };

export async function decodeBody(
  encoding: string | undefined,
  body: Buffer,
  maxBytes = MAX_DECODED_BYTES,
): Promise<Decoded> {
  const name = encoding?.trim().toLowerCase() ?? 'identity';
  if (name === 'identity' || name === '') return { success: true, body };
  if (name !== 'br' && name !== 'gzip')
    return {
      success: false,
      error: systemError(
        'BadRequest',
        'UnsupportedContentEncoding',
        `Unsupported Content-Encoding "${encoding}": send the body as is, br or gzip.`,
      ),
    };
  try {
    return {
      success: true,
      body: await decode(name, body, maxBytes),
    };
  } catch (error) {
    return {
      success: false,
      error: badRequest(
        'BadJsonBody',
        (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE'
          ? `The request body decodes to more than ${maxBytes} bytes.`
          : `The request body is not valid ${name}: ${(error as Error).message}`,
      ),
    };
  }
}
