/**
 * The HTTP bridge: a uWebSockets.js route handler that turns a request into
 * a whole `BridgedRequest` (method, URL, headers, body), awaits a
 * `RequestHandler` and writes its `BridgedResponse` back. It is how the
 * front door, which owns the port, reaches the HTTP API (a fastify app that
 * never listens, src/http) and HTTP actions; neither knows uWS.
 *
 * Why whole requests: every public API request and response is a JSON
 * document of at most 16 MiB, and uWS hands over a request's data only
 * during its callbacks, so copying it once into a Buffer and handing the
 * handler something plain is both the simplest and the safest cut.
 *
 * Bodies: at most `maxBodyBytes(path)` are kept (pushed code may be far
 * larger than a function's arguments). A longer body is cut at one byte
 * past the limit, its `content-length` says so, the handler answers it (with
 * the error it gives an oversized body) and the connection is closed. The
 * rest is read and dropped first, up to DRAIN_BYTES: a client still writing
 * when the connection closes sees it reset (EPIPE) instead of the answer.
 * Past DRAIN_BYTES the answer goes at once, and such a client may miss it. `content-length` is
 * always the length of the body
 * handed over, and `transfer-encoding` is dropped: the body is no longer
 * chunked.
 */
import { STATUS_CODES } from 'node:http';
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';

export interface BridgedRequest {
  /** Upper case. */
  method: string;
  /** The path and query string. */
  url: string;
  /** Lower-case names; repeated headers joined as HTTP joins them. */
  headers: Record<string, string>;
  body: Buffer;
  remoteAddress: string;
}

export interface BridgedResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer | string;
}

export type RequestHandler = (
  request: BridgedRequest,
) => Promise<BridgedResponse>;

export interface BridgeOptions {
  /** The longest body kept for a request to this path (without the query). */
  maxBodyBytes: (path: string) => number;
  /** Where a handler's rejection (a bug) is reported; the client gets a bare 500. */
  onError: (error: unknown) => void;
}

/** Headers uWS writes itself, or that describe a framing the bridge replaced. */
const FRAMING_HEADERS = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'date',
]);

export function httpBridge(
  handler: RequestHandler,
  options: BridgeOptions,
): (res: HttpResponse, req: HttpRequest) => void {
  return (res, req) => {
    // The request object is valid only until this callback returns.
    const query = req.getQuery();
    const request: Omit<BridgedRequest, 'body'> = {
      method: req.getMethod().toUpperCase(),
      url: query ? `${req.getUrl()}?${query}` : req.getUrl(),
      headers: headersOf(req),
      remoteAddress: Buffer.from(res.getRemoteAddressAsText()).toString(),
    };
    let open = true;
    res.onAborted(() => {
      open = false;
    });
    const respond = (body: Buffer, cutShort: boolean): void => {
      const headers = { ...request.headers };
      delete headers['transfer-encoding'];
      headers['content-length'] = String(body.length);
      handler({ ...request, headers, body })
        .catch((error: unknown): BridgedResponse => {
          options.onError(error);
          return { status: 500, headers: {}, body: 'Internal Server Error' };
        })
        .then((response) => {
          if (open) write(res, response, cutShort);
        })
        .catch(options.onError);
    };
    if (!hasBody(request.headers)) {
      respond(Buffer.alloc(0), false);
      return;
    }
    readBody(res, options.maxBodyBytes(pathOf(request.url)), respond);
  };
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * What is read and dropped past the limit before the answer: enough for a
 * client that sent a few MiB too many to read why, little next to the
 * limits themselves (16 MiB, 200 MB for pushes).
 */
const DRAIN_BYTES = 32 * 1024 * 1024;

function readBody(
  res: HttpResponse,
  maxBodyBytes: number,
  done: (body: Buffer, cutShort: boolean) => void,
): void {
  const chunks: Buffer[] = [];
  let length = 0;
  let dropped = 0;
  let finished = false;
  res.onData((chunk, isLast) => {
    if (finished) return;
    if (length > maxBodyBytes) {
      dropped += chunk.byteLength;
      if (isLast || dropped > DRAIN_BYTES) {
        finished = true;
        done(Buffer.concat(chunks, length), true);
      }
      return;
    }
    // The chunk's memory is reused once this callback returns: copy it.
    const kept = Buffer.from(
      chunk.slice(0, Math.max(0, maxBodyBytes + 1 - length)),
    );
    chunks.push(kept);
    length += kept.length;
    dropped += chunk.byteLength - kept.length;
    if (isLast) {
      finished = true;
      done(Buffer.concat(chunks, length), length > maxBodyBytes);
    }
  });
}

function write(
  res: HttpResponse,
  response: BridgedResponse,
  closeConnection: boolean,
): void {
  res.cork(() => {
    const reason = STATUS_CODES[response.status];
    res.writeStatus(
      reason === undefined
        ? String(response.status)
        : `${response.status} ${reason}`,
    );
    for (const [name, value] of Object.entries(response.headers)) {
      if (FRAMING_HEADERS.has(name.toLowerCase())) continue;
      for (const one of Array.isArray(value) ? value : [value])
        res.writeHeader(name, one);
    }
    res.end(response.body, closeConnection);
  });
}

function headersOf(req: HttpRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  req.forEach((name, value) => {
    const earlier = headers[name];
    headers[name] =
      earlier === undefined
        ? value
        : `${earlier}${name === 'cookie' ? '; ' : ', '}${value}`;
  });
  return headers;
}

/** HTTP/1.1: a request has a body when it declares a length or a chunked encoding. */
function hasBody(headers: Record<string, string>): boolean {
  const length = headers['content-length'];
  if (length !== undefined) return length.trim() !== '0';
  return headers['transfer-encoding'] !== undefined;
}
