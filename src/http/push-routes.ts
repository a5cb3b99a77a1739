/**
 * The routes the official CLI pushes code through (`npx convex deploy`,
 * `npx convex dev`; convex-cli-and-guarantees.md §1.2, §1.9 E1-E5):
 *
 *   POST /api/get_config_hashes           the deployed modules' hashes
 *   POST /api/deploy2/evaluate_push       the index changes a push would make
 *   POST /api/deploy2/start_push          evaluate, analyse and store a push
 *   POST /api/deploy2/wait_for_schema     are the stored documents valid under it
 *   POST /api/deploy2/finish_push         make it live
 *   POST /api/deploy2/report_push_completed  the CLI's tracing spans: acknowledged
 *   GET  /api/v1/get_canonical_urls       where clients and HTTP actions are served
 *
 * `evaluate_schema` is left out on purpose: the CLI treats it as best
 * effort and skips its advisory checks on a 404, while every route above
 * must exist (the CLI retries a 404 for half a minute).
 *
 * Every route needs the admin key, in the `Authorization` header or as the
 * body's `adminKey`, which the CLI sends on push routes; a wrong one is 403
 * `BadDeployKey`, which the CLI prints. Push bodies come brotli-compressed
 * (decoded by http-api.ts) and may be large: `PUSH_BODY_BYTES`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { adminKeyMatches } from '../runtime/admin-key.ts';
import type { Authority } from '../runtime/authenticate.ts';
import type { CodePush } from '../runtime/code-push.ts';
import { type Answer, answered } from './answer.ts';
import { type JsonObject, jsonBody } from './json-body.ts';
import { pushPlanOf, pushRequestOf } from './push-request.ts';
import {
  configHashes,
  finishPushDiff,
  schemaChangeOf,
  startPushResponse,
} from './push-response.ts';
import { requestCaller } from './request-caller.ts';
import { badDeployKey, badRequest, systemError } from './system-error.ts';

/**
 * Convex's `MAX_PUSH_BYTES` (convex-backend `knobs.rs`): a push body of
 * up to 200 MB, compressed.
 */
export const PUSH_BODY_BYTES = 200_000_000;

export const PUSH_PATHS: ReadonlySet<string> = new Set([
  '/api/deploy2/evaluate_push',
  '/api/deploy2/start_push',
  '/api/deploy2/finish_push',
]);

export interface PushRoutesOptions {
  authority: Authority;
  /** Without it, there are no push routes. */
  codePush?: CodePush;
  /** Where clients connect and where HTTP actions are served, as the CLI writes them to `.env.local`. */
  canonicalUrls?: () => CanonicalUrls;
}

export function registerPushRoutes(
  app: FastifyInstance,
  options: PushRoutesOptions,
): void {
  const { codePush, authority, canonicalUrls } = options;
  if (canonicalUrls)
    app.get(
      '/api/v1/get_canonical_urls',
      answered(async (request) => {
        const refused = await adminRefusal(request, authority, undefined);
        return (
          refused ?? {
            status: 200,
            body: asReached(canonicalUrls(), request.headers),
          }
        );
      }),
    );
  if (!codePush) return;
  const route = (
    path: string,
    handle: (body: JsonObject) => Promise<Answer>,
  ): void => {
    app.post(
      path,
      PUSH_PATHS.has(path) ? { bodyLimit: PUSH_BODY_BYTES } : {},
      answered(async (request) => {
        const body = jsonBody(request.headers['content-type'], request.body);
        if (!body.success) return body.error;
        const refused = await adminRefusal(
          request,
          authority,
          body.value['adminKey'],
        );
        return refused ?? handle(body.value);
      }),
    );
  };

  route('/api/get_config_hashes', async () => {
    const deployed = await codePush.deployed();
    return ok(
      configHashes(deployed?.modules ?? [], deployed?.udfServerVersion ?? null),
    );
  });

  const prepare = async (
    body: JsonObject,
    store: boolean,
  ): Promise<
    | { success: true; push: Parameters<typeof startPushResponse>[0] }
    | { success: false; answer: Answer }
  > => {
    const request = pushRequestOf(body);
    if (!request.success)
      return {
        success: false,
        answer: badRequest('InvalidPushRequest', request.error),
      };
    const prepared = await codePush.prepare(request.value, {
      store: store && body['dryRun'] !== true,
    });
    return prepared.success
      ? prepared
      : {
          success: false,
          answer: badRequest(prepared.error.code, prepared.error.message),
        };
  };

  route('/api/deploy2/evaluate_push', async (body) => {
    const prepared = await prepare(body, false);
    return prepared.success
      ? ok({ schemaChange: schemaChangeOf(prepared.push) })
      : prepared.answer;
  });

  route('/api/deploy2/start_push', async (body) => {
    const prepared = await prepare(body, true);
    return prepared.success
      ? ok(startPushResponse(prepared.push))
      : prepared.answer;
  });

  route('/api/deploy2/wait_for_schema', async (body) => {
    const plan = pushPlanOf(body['schemaChange']);
    if (plan === null) return notOurPlan();
    // Indexes are built at finish_push, so nothing is ever in progress:
    // the answer comes at once, whatever `timeoutMs` allows.
    const status = await codePush.schemaStatus(plan);
    if (!status.success)
      return badRequest(status.error.code, status.error.message);
    return ok(
      status.check.success
        ? { type: 'complete' }
        : {
            type: 'failed',
            error: status.check.error,
            componentPath: '',
            tableName: status.check.table,
          },
    );
  });

  route('/api/deploy2/finish_push', async (body) => {
    const startPush = body['startPush'];
    const plan =
      typeof startPush === 'object' &&
      startPush !== null &&
      !Array.isArray(startPush)
        ? pushPlanOf(startPush['schemaChange'])
        : null;
    if (plan === null) return notOurPlan();
    const env = (startPush as JsonObject)['environmentVariables'];
    if (typeof env !== 'object' || env === null || Array.isArray(env))
      return badRequest(
        'InvalidPushRequest',
        'Expected `startPush.environmentVariables`, as start_push returned it.',
      );
    if (body['dryRun'] === true)
      return ok({
        authDiff: { added: [], removed: [] },
        definitionDiffs: {},
        componentDiffs: {},
      });
    const finished = await codePush.finish(plan, env as Record<string, string>);
    return finished.success
      ? ok(finishPushDiff(finished.finished))
      : badRequest(finished.error.code, finished.error.message);
  });

  route('/api/deploy2/report_push_completed', async () => ok({}));
}

/** Null when the request carries this deployment's admin key; the refusal otherwise. */
async function adminRefusal(
  request: FastifyRequest,
  authority: Authority,
  bodyKey: unknown,
): Promise<Answer | null> {
  if (typeof bodyKey === 'string')
    return adminKeyMatches(bodyKey, authority.adminKey) ? null : badDeployKey();
  const caller = await requestCaller(request, authority);
  return caller.success && caller.caller.kind === 'admin'
    ? null
    : badDeployKey();
}

export interface CanonicalUrls {
  convexCloudUrl: string;
  convexSiteUrl: string;
}

/**
 * The deployment's URLs as the CLI reached it: the host it asked (a
 * container's published address, a LAN name) rather than the loopback
 * address the server knows itself by, with the site on its own port.
 */
export function asReached(
  urls: CanonicalUrls,
  headers: Record<string, string | string[] | undefined>,
): CanonicalUrls {
  const host = headers['host'];
  const forwarded = headers['x-forwarded-proto'];
  if (typeof host !== 'string' || host === '') return urls;
  const scheme = forwarded === 'https' ? 'https' : 'http';
  let cloud: URL;
  try {
    cloud = new URL(`${scheme}://${host}`);
  } catch {
    return urls;
  }
  const site = new URL(urls.convexSiteUrl);
  site.protocol = cloud.protocol;
  site.hostname = cloud.hostname;
  return {
    convexCloudUrl: cloud.origin,
    convexSiteUrl: site.origin,
  };
}

function ok(body: JsonObject): Answer {
  return { status: 200, body };
}

function notOurPlan(): Answer {
  return systemError(
    'BadRequest',
    'InvalidPushRequest',
    'Expected the `schemaChange` this deployment returned from start_push.',
  );
}
