/**
 * callFunction: one run of any function of the deployment from the
 * Functions page, through the HTTP API (`POST /api/query`, `/mutation`,
 * `/action`) with the admin key, optionally acting as a user identity
 * (`Convex <key>:<base64 identity>`, as convex-js's `setAdminAuth` sends
 * it). The HTTP API rather than the sync socket because its answer carries
 * the run's log lines, which the page shows; an admin reaches internal
 * functions too.
 *
 * The time shown is the round trip as the browser measured it.
 */
import { type Value, convexToJson, jsonToConvex } from 'convex/values';
import { base64Text } from './base64-text.ts';

export type FunctionKind = 'query' | 'mutation' | 'action';

export type CallOutcome =
  | { ok: true; value: Value; logLines: string[]; ms: number }
  | {
      ok: false;
      message: string;
      data: Value | undefined;
      logLines: string[];
      ms: number;
    };

interface UdfResponse {
  status?: 'success' | 'error';
  value?: unknown;
  errorMessage?: string;
  errorData?: unknown;
  logLines?: string[];
  message?: string;
}

export async function callFunction(options: {
  origin: string;
  adminKey: string;
  kind: FunctionKind;
  /** `module:name`, as `npx convex run` takes it. */
  path: string;
  args: Record<string, Value>;
  /** The user identity to act as (`subject`, `issuer`, …), or null to run as the admin. */
  actingAs: Record<string, unknown> | null;
}): Promise<CallOutcome> {
  const started = performance.now();
  const authorization =
    options.actingAs === null
      ? options.adminKey
      : `${options.adminKey}:${base64Text(JSON.stringify(options.actingAs))}`;
  let response: Response;
  let body: UdfResponse;
  try {
    response = await fetch(`${options.origin}/api/${options.kind}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Convex ${authorization}`,
      },
      body: JSON.stringify({
        path: options.path,
        args: convexToJson(options.args),
        format: 'convex_encoded_json',
      }),
    });
    body = (await response.json()) as UdfResponse;
  } catch (error) {
    return failed(String(error), undefined, [], started);
  }
  const logLines = body.logLines ?? [];
  if (body.status === 'success')
    return {
      ok: true,
      value: jsonToConvex(body.value as never),
      logLines,
      ms: performance.now() - started,
    };
  if (body.status === 'error')
    return failed(
      body.errorMessage ?? 'The function failed.',
      body.errorData === undefined
        ? undefined
        : jsonToConvex(body.errorData as never),
      logLines,
      started,
    );
  return failed(
    `${response.status}: ${body.message ?? response.statusText}`,
    undefined,
    logLines,
    started,
  );
}

function failed(
  message: string,
  data: Value | undefined,
  logLines: string[],
  started: number,
): CallOutcome {
  return {
    ok: false,
    message,
    data,
    logLines,
    ms: performance.now() - started,
  };
}
