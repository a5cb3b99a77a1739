/**
 * `_system/cli/modules:apiSpec` (convex-backend `system-udfs/convex/_system/
 * cli/modules.ts`): every function of the deployed code with its kind,
 * visibility and validators, and every HTTP route, which `npx convex run`
 * lists when the function it was asked for does not exist. Identifiers name
 * the module file as Convex stores it, `messages.js:list`; a function with
 * no validator shows `{type: "any"}`, as on Convex.
 *
 * It reads the loaded code, not the store: it changes only when the code
 * does, and a reload reruns every subscribed query.
 */
import type { Value } from 'convex/values';
import type { FunctionKind } from './execution.ts';
import { COMPONENT_ONLY } from './system-arguments.ts';
import type { SystemQuery } from './system-query.ts';
import { parseUdfPath } from './udf-path.ts';
import type { ValidatorJson } from './validator.ts';

/** What `convex/server`'s `HttpRouter` lists: path, method, handler. */
interface HttpRoutesLike {
  getRoutes(): readonly (readonly [string, string, unknown])[];
}

const ANY: ValidatorJson = { type: 'any' };

const FUNCTION_TYPES: Record<FunctionKind, string> = {
  query: 'Query',
  mutation: 'Mutation',
  action: 'Action',
  httpAction: 'HttpAction',
};

export const apiSpec: SystemQuery = {
  args: COMPONENT_ONLY,
  async handler({ functions }) {
    const specs: Value[] = [];
    for (const fn of functions.functions.values()) {
      const parsed = parseUdfPath(fn.path);
      if (!parsed.success) continue;
      specs.push({
        identifier: `${parsed.path.module}.js:${parsed.path.name}`,
        functionType: FUNCTION_TYPES[fn.kind],
        visibility: { kind: fn.visibility },
        args: (fn.args ?? ANY) as Value,
        returns: (fn.returns ?? ANY) as Value,
      });
    }
    const router = functions.httpRouter as HttpRoutesLike | null;
    for (const [path, method] of router?.getRoutes() ?? [])
      specs.push({ functionType: 'HttpAction', method, path });
    return { success: true, value: specs };
  },
};
