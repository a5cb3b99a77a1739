/**
 * The file storage routes on the main port (the URLs `ctx.storage` hands
 * out): `POST /api/storage/upload?token=…` stores the body and answers
 * `{storageId}`, as Convex's upload URLs do; `GET /api/storage/<id>` serves
 * a stored file with its content type. Other paths are not this handler's
 * (null).
 */
import type { StoredFiles } from '../runtime/stored-files.ts';

const PREFIX = '/api/storage/';

export type StorageHandler = (request: Request) => Promise<Response | null>;

export function storageHandler(
  files: Pick<StoredFiles, 'storeUpload' | 'storedFileBytes'>,
): StorageHandler {
  return async (request) => {
    const url = new URL(request.url);
    if (!url.pathname.startsWith(PREFIX)) return null;
    const rest = url.pathname.slice(PREFIX.length);
    if (rest === 'upload') {
      if (request.method !== 'POST')
        return failure(405, 'MethodNotAllowed', 'Uploads are POSTed.');
      const stored = await files.storeUpload(
        url.searchParams.get('token') ?? '',
        new Uint8Array(await request.arrayBuffer()),
        request.headers.get('content-type'),
      );
      return stored.success
        ? Response.json({ storageId: stored.storageId })
        : failure(401, 'InvalidUploadUrl', stored.error);
    }
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return failure(
        405,
        'MethodNotAllowed',
        'Stored files are read with GET.',
      );
    const id = decodedId(rest);
    const file = id === null ? null : await files.storedFileBytes(id);
    if (!file) return failure(404, 'FileNotFound', `File ${rest} not found.`);
    return new Response(request.method === 'HEAD' ? null : file.bytes, {
      headers: {
        'content-type': file.contentType ?? 'application/octet-stream',
        'cache-control': 'private, max-age=2592000',
      },
    });
  };
}

/** The id in the path, or null when its percent-encoding is broken (no file has it). */
function decodedId(encoded: string): string | null {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return null;
  }
}

function failure(status: number, code: string, message: string): Response {
  return Response.json({ code, message }, { status });
}
