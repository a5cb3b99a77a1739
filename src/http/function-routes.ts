/**
 * The function routes of the public HTTP API (convex-protocol.md §6;
 * convex-backend `public_api.rs`), the ones `ConvexHttpClient`, `npx convex
 * run` and curl call:
 *
 *   POST /api/query, /api/mutation, /api/action   {path, args, format?}
 *   POST /api/query_ts                            → {ts}
 *   POST /api/query_at_ts                         {path, args, ts, format?}
 *   POST /api/query_batch                         {queries: [{path, args, format?}]}, one ts for all
 *   POST /api/function                            {componentPath?, path, args, format?}, any kind, admins only
 *   POST /api/run/<module/path>/<name>            {args, format?}, any kind, clean JSON by default
 *   GET  /api/query?path=…&args=<json>&format=…
 *
 * Each checks the request (body, function path, format, then who is
 * calling), runs the function and answers 200 with a UdfResponse whether it
 * returned or threw; only a bad request is a system error. `args` is the
 * arguments object, or a one-element array holding it as the clients send
 * it; arguments that are not Convex values fail the call like a throw.
 *
 * One departure: a bad `format` is refused before the function runs, where
 * Convex runs it (a mutation commits) and refuses afterwards.
 */
import { type JSONValue, type Value, jsonToConvex } from 'convex/values';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../protocol/json-depth.ts';
import { decodeTimestamp, encodeTimestamp } from '../protocol/timestamp.ts';
import type { Authority, Caller } from '../runtime/authenticate.ts';
import type { FunctionResult } from '../runtime/function-result.ts';
import type { FunctionRunner } from '../runtime/function-runner.ts';
import { parseUdfPath } from '../runtime/udf-path.ts';
import type { Timestamp } from '../store/store.ts';
import { defaultsToCleanJson, parseClientVersion } from './client-version.ts';
import {
  type JsonObject,
  type Parsed,
  jsonBody,
  requiredField,
  stringField,
} from './json-body.ts';
import { requestCaller, runnerIdentity } from './request-caller.ts';
import { type Answer, answered } from './answer.ts';
import { type SystemError, badDeployKey, badRequest } from './system-error.ts';
import { type UdfResponse, udfResponse } from './udf-response.ts';
import { type ValueFormat, parseValueFormat } from './value-format.ts';

export interface FunctionRoutesOptions {
  runner: Pick<
    FunctionRunner,
    'runQuery' | 'runMutation' | 'runAction' | 'kindOf'
  >;
  /** The latest commit, once every commit made so far by any process is heard. */
  latestTs: () => Promise<Timestamp>;
  authority: Authority;
}

/** A function call as a request names it, unchecked. */
interface CallRequest {
  path: string;
  args: JSONValue;
  format: string | undefined;
}

/** A checked call; arguments that are not Convex values are its failure. */
interface Call {
  path: string;
  args: Arguments;
  format: ValueFormat;
}

type Arguments =
  { success: true; value: Value } | { success: false; failure: FunctionResult };

type Run = (path: string, args: Value) => Promise<FunctionResult>;

/** Which run a caller gets, or why it gets none. */
type Runs = (caller: Caller) => Run | SystemError;

export function registerFunctionRoutes(
  app: FastifyInstance,
  options: FunctionRoutesOptions,
): void {
  const { runner, authority } = options;
  const query =
    (ts?: Timestamp): Runs =>
    (caller) =>
    (path, args) =>
      runner.runQuery(path, args, {
        ...runnerIdentity(caller),
        ...(ts === undefined ? {} : { ts }),
      });
  const mutation: Runs = (caller) => (path, args) =>
    runner.runMutation(path, args, runnerIdentity(caller));
  const action: Runs = (caller) => (path, args) =>
    runner.runAction(path, args, runnerIdentity(caller));
  const anyKind: Runs = (caller) => (path, args) => {
    const identity = runnerIdentity(caller);
    switch (runner.kindOf(path)) {
      case 'mutation':
        return runner.runMutation(path, args, identity);
      case 'action':
        return runner.runAction(path, args, identity);
      // Anything else is not found, as a query finds it not to be.
      case 'query':
      case 'httpAction':
      case null:
        return runner.runQuery(path, args, identity);
    }
  };
  const post = (url: string, handler: (r: FastifyRequest) => Promise<Answer>) =>
    app.post(url, answered(handler));
  const bodyCall = (runs: Runs) => async (request: FastifyRequest) => {
    const body = jsonBody(request.headers['content-type'], request.body);
    if (!body.success) return body.error;
    const fields = callFields(body.value);
    return fields.success
      ? callOnce(request, fields.value, authority, runs)
      : fields.error;
  };

  // At the latest commit any process made: a client's mutation through one
  // process is seen by its query through another.
  post('/api/query', async (request) =>
    bodyCall(query(await options.latestTs()))(request),
  );
  post('/api/mutation', bodyCall(mutation));
  post('/api/action', bodyCall(action));

  post('/api/query_ts', async () => ({
    status: 200,
    body: { ts: encodeTimestamp(await options.latestTs()) },
  }));

  post('/api/query_at_ts', async (request) => {
    const body = jsonBody(request.headers['content-type'], request.body);
    if (!body.success) return body.error;
    const fields = callFields(body.value);
    if (!fields.success) return fields.error;
    const encoded = stringField(body.value, 'ts', true);
    if (!encoded.success) return encoded.error;
    const ts = timestampOf(encoded.value);
    if (ts === null)
      return badRequest(
        'BadJsonBody',
        'Failed to deserialize the JSON body into the target type: `ts` is not the base64 of an 8-byte timestamp',
      );
    const latest = await options.latestTs();
    if (ts > latest)
      return badRequest(
        'InvalidTimestamp',
        `The timestamp ${ts} is after the latest commit, ${latest}.`,
      );
    return callOnce(request, fields.value, authority, query(ts));
  });

  post('/api/query_batch', async (request) => {
    const body = jsonBody(request.headers['content-type'], request.body);
    if (!body.success) return body.error;
    const queries = body.value.queries;
    if (!Array.isArray(queries)) return mistyped('missing field `queries`');
    const ts = await options.latestTs();
    const calls: Call[] = [];
    for (const entry of queries) {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
        return mistyped('each of `queries` must be an object');
      const fields = callFields(entry);
      if (!fields.success) return fields.error;
      const call = checkCall(request, fields.value);
      if (!call.success) return call.error;
      calls.push(call.value);
    }
    const caller = await requestCaller(request, authority);
    if (!caller.success) return caller.error;
    const run = query(ts)(caller.caller);
    if (typeof run !== 'function') return run;
    const results: UdfResponse[] = [];
    for (const call of calls) results.push(await execute(call, run));
    return { status: 200, body: { results } };
  });

  post('/api/function', async (request) => {
    const body = jsonBody(request.headers['content-type'], request.body);
    if (!body.success) return body.error;
    const fields = callFields(body.value);
    if (!fields.success) return fields.error;
    const component = stringField(body.value, 'componentPath', false);
    if (!component.success) return component.error;
    const componentPath = component.value ?? '';
    return callOnce(request, fields.value, authority, (caller) => {
      if (caller.kind !== 'admin') return badDeployKey();
      if (componentPath === '') return anyKind(caller);
      return async (path) => ({
        success: false,
        errorMessage: `Could not find function for '${path}' in component '${componentPath}': this deployment has no components.`,
        logLines: [],
      });
    });
  });

  post('/api/run/*', async (request) => {
    const path = runPath(request.url);
    if (path === null)
      return badRequest(
        'MissingIdentifier',
        'Path or function name not provided in path, e.g. /api/run/messages/list',
      );
    const body = jsonBody(request.headers['content-type'], request.body);
    if (!body.success) return body.error;
    const args = requiredField(body.value, 'args');
    if (!args.success) return args.error;
    const format = stringField(body.value, 'format', false);
    if (!format.success) return format.error;
    return callOnce(
      request,
      { path, args: args.value, format: format.value ?? 'json' },
      authority,
      anyKind,
    );
  });

  app.get(
    '/api/query',
    answered(async (request) => {
      const fields = queryStringCall(request.query);
      return fields.success
        ? callOnce(request, fields.value, authority, query())
        : fields.error;
    }),
  );
}

/** Checks a call and who makes it, then runs it. */
async function callOnce(
  request: FastifyRequest,
  fields: CallRequest,
  authority: Authority,
  runs: Runs,
): Promise<Answer> {
  const call = checkCall(request, fields);
  if (!call.success) return call.error;
  const caller = await requestCaller(request, authority);
  if (!caller.success) return caller.error;
  const run = runs(caller.caller);
  if (typeof run !== 'function') return run;
  return { status: 200, body: await execute(call.value, run) };
}

async function execute(call: Call, run: Run): Promise<UdfResponse> {
  const result = call.args.success
    ? await run(call.path, call.args.value)
    : call.args.failure;
  return udfResponse(result, call.format);
}

/** The function path, the format (or the client's default) and the arguments. */
function checkCall(request: FastifyRequest, fields: CallRequest): Parsed<Call> {
  const parsed = parseUdfPath(fields.path);
  if (!parsed.success)
    return {
      success: false,
      error: badRequest(
        'BadConvexFunctionIdentifier',
        `${fields.path} is not a valid path to a Convex function. ${parsed.error}`,
      ),
    };
  let format: ValueFormat;
  if (fields.format === undefined) {
    const client = parseClientVersion(headerOf(request, 'convex-client'));
    format =
      !client.success || defaultsToCleanJson(client.clientVersion)
        ? 'clean'
        : 'encoded';
  } else {
    const named = parseValueFormat(fields.format);
    if (!named.success) return named;
    format = named.format;
  }
  return {
    success: true,
    value: { path: fields.path, args: argumentsOf(fields.args), format },
  };
}

/** The arguments object out of `args`, as a Convex value. */
function argumentsOf(args: JSONValue): Arguments {
  const object = Array.isArray(args) ? (args[0] ?? {}) : args;
  try {
    return { success: true, value: jsonToConvex(object) };
  } catch (error) {
    return {
      success: false,
      failure: {
        success: false,
        errorMessage: `ArgumentValidationError: ${error instanceof Error ? error.message : String(error)}`,
        logLines: [],
      },
    };
  }
}

function callFields(object: JsonObject): Parsed<CallRequest> {
  const path = stringField(object, 'path', true);
  if (!path.success) return path;
  const args = requiredField(object, 'args');
  if (!args.success) return args;
  const format = stringField(object, 'format', false);
  if (!format.success) return format;
  return {
    success: true,
    value: { path: path.value, args: args.value, format: format.value },
  };
}

/** `GET /api/query`'s call, from its query string; `args` is JSON text. */
function queryStringCall(query: unknown): Parsed<CallRequest> {
  const parameters = (query ?? {}) as Record<string, unknown>;
  const refuse = (why: string): Parsed<CallRequest> => ({
    success: false,
    error: badRequest(
      'BadQueryArgs',
      `Failed to deserialize query string: ${why}`,
    ),
  });
  const { path, args, format } = parameters;
  if (typeof path !== 'string') return refuse('missing field `path`');
  if (typeof args !== 'string') return refuse('missing field `args`');
  if (format !== undefined && typeof format !== 'string')
    return refuse('invalid type for `format`: expected a string');
  let parsed: JSONValue;
  try {
    parsed = JSON.parse(args) as JSONValue;
  } catch {
    return refuse('`args` is not JSON');
  }
  if (nestsDeeperThan(parsed, MAX_JSON_DEPTH))
    return refuse(`\`args\` nests deeper than ${MAX_JSON_DEPTH} levels`);
  return { success: true, value: { path, args: parsed, format } };
}

/**
 * `/api/run/messages/list` → `messages:list`: every segment URL-decoded, the
 * last one the function's name; null with fewer than two segments.
 */
function runPath(url: string): string | null {
  const rest = url.split('?')[0]?.slice('/api/run/'.length) ?? '';
  const segments: string[] = [];
  for (const segment of rest.split('/')) {
    try {
      segments.push(decodeURIComponent(segment));
    } catch {
      return null;
    }
  }
  const name = segments.pop();
  if (name === undefined || segments.length === 0) return null;
  return `${segments.join('/')}:${name}`;
}

/** A timestamp as the clients encode it, or null. */
function timestampOf(encoded: string): Timestamp | null {
  return /^[A-Za-z0-9+/]{11}=$/.test(encoded) ? decodeTimestamp(encoded) : null;
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function mistyped(why: string): SystemError {
  return badRequest(
    'BadJsonBody',
    `Failed to deserialize the JSON body into the target type: ${why}`,
  );
}
