import { describe, expect, test } from 'vitest';
import { startBasicRuntime } from '../../test/helpers/basic-runtime.ts';

describe('ctx.runQuery and ctx.runMutation inside queries and mutations', () => {
  test('a nested mutation that fails is rolled back, and its caller catches the ConvexError', async () => {
    await using rt = await startBasicRuntime();
    const result = await rt.runner.runMutation('nesting:incrementAndTry', {
      name: 'c',
    });
    expect(result).toMatchObject({
      success: true,
      // The caller's own increment stands; the failed callee's is undone.
      value: { caught: { code: 'nested', name: 'c' }, seen: 1, stale: 0 },
      logLines: ["[LOG] 'about to fail'"],
    });
    expect(
      await rt.runner.runQuery('counters:get', { name: 'c' }),
    ).toMatchObject({ value: 1 });
  });

  test('calls nest eight deep and no deeper', async () => {
    await using rt = await startBasicRuntime();
    expect(
      await rt.runner.runQuery('nesting:recurse', { depth: 8 }),
    ).toMatchObject({ success: true, value: 8 });
    const tooDeep = await rt.runner.runQuery('nesting:recurse', { depth: 9 });
    expect(tooDeep).toMatchObject({ success: false });
    if (tooDeep.success) throw new Error('unreachable');
    expect(tooDeep.errorMessage).toMatch(/at most 8 levels deep/);
  });

  test('a query cannot run a mutation', async () => {
    await using rt = await startBasicRuntime();
    const result = await rt.runner.runQuery('nesting:mutateFromQuery', {});
    expect(result).toMatchObject({
      success: false,
      errorMessage:
        'Uncaught Error: Cannot run mutation counters:increment from a query.',
    });
  });

  test('a function handle calls the function it was made for', async () => {
    await using rt = await startBasicRuntime();
    expect(
      await rt.runner.runMutation('nesting:viaHandle', { name: 'h' }),
    ).toMatchObject({
      success: true,
      value: { handle: 'function://counters:increment', value: 1 },
    });
  });

  test('ctx.meta reports the function and the transaction, and count() counts', async () => {
    await using rt = await startBasicRuntime();
    await rt.runner.runMutation('counters:increment', { name: 'a' });
    expect(await rt.runner.runMutation('nesting:meta', {})).toMatchObject({
      success: true,
      value: {
        fn: {
          name: 'nesting:meta',
          componentPath: '',
          type: 'mutation',
          visibility: 'public',
        },
        documentsWritten: { used: 1, remaining: 15_999 },
        count: 2,
      },
    });
  });
});
