/**
 * The handler of HTTP action requests, on the site port and under `/http/`
 * on the main port: the caller's identity from an `Authorization: Bearer`
 * token (as Convex gives HTTP actions), then the app's `http.ts` route. A
 * token that does not verify is a 401 with Convex's error code, before any
 * user code runs.
 */
import type { FunctionRunner } from '../runtime/function-runner.ts';
import type { IdentityVerifier } from '../runtime/identity-verifier.ts';

export type HttpActionHandler = (request: Request) => Promise<Response>;

export function httpActionHandler(
  runner: Pick<FunctionRunner, 'runHttpAction'>,
  verifier: IdentityVerifier | null,
  log: (level: 'info' | 'warn' | 'error', message: string) => void,
): HttpActionHandler {
  return async (request) => {
    const header = request.headers.get('authorization');
    let identity = null;
    if (header?.startsWith('Bearer ')) {
      const verified = verifier?.canVerify
        ? await verifier.verify(header.slice('Bearer '.length))
        : null;
      if (!verified?.success)
        return Response.json(
          {
            code: verified ? verified.error.code : 'NoAuthProvider',
            message: verified
              ? verified.error.message
              : 'No auth provider found matching the given token (no providers configured). Check convex/auth.config.ts.',
          },
          { status: 401 },
        );
      identity = verified.identity;
    }
    const { response, logLines } = await runner.runHttpAction(request, {
      identity,
    });
    for (const line of logLines)
      log('info', `${request.method} ${new URL(request.url).pathname} ${line}`);
    return response;
  };
}

/**
 * The same handler under a path prefix (`/http` on the main port, where
 * Convex serves HTTP actions besides the site port): routes see the path
 * without it.
 */
export function underPrefix(
  prefix: string,
  handle: HttpActionHandler,
): HttpActionHandler {
  return (request) => {
    const url = new URL(request.url);
    url.pathname = url.pathname.slice(prefix.length) || '/';
    return handle(
      new Request(url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: request.signal,
        ...(request.body ? { duplex: 'half' } : {}),
      }),
    );
  };
}
