/**
 * The system queries behind `npx convex env list` and `env get`
 * (`_system/cli/queryEnvironmentVariables` and its `get` export;
 * convex-backend `system-udfs/convex/_system/cli/
 * queryEnvironmentVariables.ts`): the deployment's variables as `{name,
 * value}`, ordered by name, or one of them or null. `npx convex dev`
 * subscribes to the list after a push failed for a missing variable and
 * pushes again when it changes, so both read the whole table in the query's
 * transaction: any change to it reruns them.
 *
 * Convex answers whole `_environment_variables` documents; the CLI reads
 * only `name` and `value`, so that is all these return.
 */
import type { SystemQuery } from './system-query.ts';
import { variables } from './environment-variables.ts';

export const environmentVariables: SystemQuery = {
  args: { type: 'object', value: {} },
  async handler({ tx }) {
    const stored = [...(await variables(tx)).values()];
    stored.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return {
      success: true,
      value: stored.map(({ name, value }) => ({ name, value })),
    };
  },
};

export const environmentVariable: SystemQuery = {
  args: {
    type: 'object',
    value: { name: { fieldType: { type: 'string' }, optional: false } },
  },
  async handler({ tx }, args) {
    const found = (await variables(tx)).get(args['name'] as string);
    return {
      success: true,
      value: found ? { name: found.name, value: found.value } : null,
    };
  },
};
