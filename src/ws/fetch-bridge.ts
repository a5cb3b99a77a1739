/**
 * The bridge between a uWebSockets.js HTTP request and the Fetch API's
 * `Request`/`Response`, which HTTP actions take and return: the request
 * body streams in as uWS delivers it, the response body streams out chunk
 * by chunk, waiting for the socket to drain when the client reads slowly.
 *
 * uWS forbids touching a request after its handler returns and a response
 * after the client aborted; the bridge copies what it needs up front and
 * stops writing on abort.
 */
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';

/** A handler in the Fetch API's terms. */
export type FetchHandler = (request: Request) => Promise<Response>;

/**
 * A uWS route answered by a Fetch handler: the request streams in, the
 * response streams out, and a handler that throws is reported and answered
 * 500 `InternalServerError` as Convex answers its own failures.
 */
export function fetchRoute(
  handle: FetchHandler,
  options: { defaultHost: string; onError: (error: unknown) => void },
): (res: HttpResponse, req: HttpRequest) => void {
  return (res, req) => {
    const controller = new AbortController();
    res.onAborted(() => controller.abort());
    const request = requestFrom(res, req, {
      origin: `http://${req.getHeader('host') || options.defaultHost}`,
      aborted: controller.signal,
    });
    handle(request)
      .then((response) => writeResponse(res, response, controller.signal))
      .catch((error: unknown) => {
        options.onError(error);
        if (!controller.signal.aborted) internalError(res);
      });
  };
}

/** Convex's answer to a request that failed on the server's side. */
export function internalError(res: HttpResponse): void {
  res.cork(() => {
    res
      .writeStatus('500 Internal Server Error')
      .writeHeader('content-type', 'application/json')
      .end(
        JSON.stringify({
          code: 'InternalServerError',
          message: "Your request couldn't be completed. Try again later.",
        }),
      );
  });
}

/** A Fetch `Request` for a uWS request; `path` replaces the URL's path when given (a mount prefix stripped). */
export function requestFrom(
  res: HttpResponse,
  req: HttpRequest,
  options: { origin: string; path?: string; aborted: AbortSignal },
): Request {
  const method = req.getMethod().toUpperCase();
  const headers = new Headers();
  req.forEach((key, value) => headers.append(key, value));
  const query = req.getQuery();
  const url = `${options.origin}${options.path ?? req.getUrl()}${query ? `?${query}` : ''}`;
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const body = hasBody
    ? new ReadableStream<Uint8Array>({
        start(controller) {
          res.onData((chunk, isLast) => {
            // uWS reuses the chunk's memory after the callback: copy it.
            controller.enqueue(new Uint8Array(chunk.slice(0)));
            if (isLast) controller.close();
          });
        },
      })
    : null;
  return new Request(url, {
    method,
    headers,
    body,
    signal: options.aborted,
    ...(body ? { duplex: 'half' } : {}),
  });
}

/** Writes a Fetch `Response` to a uWS response, streaming its body; resolves when done or aborted. */
export async function writeResponse(
  res: HttpResponse,
  response: Response,
  aborted: AbortSignal,
): Promise<void> {
  if (aborted.aborted) return;
  res.cork(() => {
    res.writeStatus(`${response.status} ${response.statusText || 'OK'}`);
    response.headers.forEach((value, key) => {
      // uWS computes the length itself; a second header would corrupt the response.
      if (key !== 'content-length') res.writeHeader(key, value);
    });
  });
  if (!response.body) {
    if (!aborted.aborted) res.cork(() => res.end());
    return;
  }
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (aborted.aborted) {
      await reader.cancel();
      return;
    }
    if (done) break;
    let ok = true;
    res.cork(() => {
      ok = res.write(value);
    });
    if (!ok) await drained(res, aborted);
  }
  if (!aborted.aborted) res.cork(() => res.end());
}

function drained(res: HttpResponse, aborted: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    aborted.addEventListener('abort', () => resolve(), { once: true });
    res.onWritable(() => {
      resolve();
      return true;
    });
  });
}
