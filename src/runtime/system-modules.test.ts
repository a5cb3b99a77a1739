import { describe, expect, test } from 'vitest';
import { startBasicRuntime } from '../../test/helpers/basic-runtime.ts';

describe('modules:apiSpec', () => {
  test('lists every function with its kind, visibility and validators, and every HTTP route', async () => {
    await using rt = await startBasicRuntime();
    const spec = await rt.runner.runQuery(
      '_system/cli/modules:apiSpec',
      {},
      { admin: true },
    );
    if (!spec.success) throw new Error(spec.errorMessage);
    const entries = spec.value as Record<string, unknown>[];
    expect(entries).toContainEqual({
      identifier: 'messages.js:send',
      functionType: 'Mutation',
      visibility: { kind: 'public' },
      args: {
        type: 'object',
        value: {
          channel: { fieldType: { type: 'string' }, optional: false },
          body: { fieldType: { type: 'string' }, optional: false },
        },
      },
      returns: { type: 'id', tableName: 'messages' },
    });
    // No validators: anything goes, as Convex shows it.
    expect(entries).toContainEqual(
      expect.objectContaining({
        identifier: 'messages.js:clear',
        functionType: 'Mutation',
        visibility: { kind: 'internal' },
        args: { type: 'any' },
        returns: { type: 'any' },
      }),
    );
    expect(entries).toContainEqual({
      functionType: 'HttpAction',
      method: 'GET',
      path: '/hello',
    });
    expect(
      entries.filter((entry) => entry['functionType'] !== 'HttpAction'),
    ).toHaveLength(rt.loaded.functions.size);
  });
});
