/**
 * The admin route that changes the functions' environment variables, as
 * `npx convex env set` and `env remove` call it (convex-cli-and-guarantees.md
 * part 1): `POST /api/update_environment_variables` with
 * `{changes: [{name, value | null}]}`, admin key required. The change is
 * all or nothing, and every subscribed query reruns with the new values.
 */
import type { FastifyInstance } from 'fastify';
import type { Authority } from '../runtime/authenticate.ts';
import type {
  EnvironmentChange,
  EnvironmentResult,
} from '../runtime/environment-variables.ts';
import { answered } from './answer.ts';
import { jsonBody } from './json-body.ts';
import { requestCaller } from './request-caller.ts';
import { badDeployKey, badRequest } from './system-error.ts';

export interface EnvironmentRoutesOptions {
  authority: Authority;
  /** Applies the changes; without it the route does not exist. */
  updateEnvironment?: (
    changes: readonly EnvironmentChange[],
  ) => Promise<EnvironmentResult>;
}

export function registerEnvironmentRoutes(
  app: FastifyInstance,
  options: EnvironmentRoutesOptions,
): void {
  const { updateEnvironment } = options;
  if (!updateEnvironment) return;
  app.post(
    '/api/update_environment_variables',
    answered(async (request) => {
      const caller = await requestCaller(request, options.authority);
      if (!caller.success) return caller.error;
      if (caller.caller.kind !== 'admin') return badDeployKey();
      const body = jsonBody(request.headers['content-type'], request.body);
      if (!body.success) return body.error;
      const changes = changesOf(body.value['changes']);
      if (changes === null)
        return badRequest(
          'BadJsonBody',
          'Expected `changes`: an array of `{name, value}` with a string name and a string or null value.',
        );
      const applied = await updateEnvironment(changes);
      return applied.success
        ? { status: 200, body: {} }
        : badRequest('InvalidEnvironmentVariables', applied.error);
    }),
  );
}

function changesOf(value: unknown): EnvironmentChange[] | null {
  if (!Array.isArray(value)) return null;
  const changes: EnvironmentChange[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== 'object' || item === null) return null;
    const { name, value: next } = item as { name?: unknown; value?: unknown };
    if (typeof name !== 'string') return null;
    if (next !== null && next !== undefined && typeof next !== 'string')
      return null;
    changes.push({ name, value: typeof next === 'string' ? next : null });
  }
  return changes;
}
