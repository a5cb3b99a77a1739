import { describe, expect, test } from 'vitest';
import { startBasicRuntime } from '../../test/helpers/basic-runtime.ts';
import { ExecutionEnded, ExecutionGuard } from './execution-guard.ts';

describe('ExecutionGuard', () => {
  test('a promise that nothing can settle ends the execution once it is idle', async () => {
    const guard = new ExecutionGuard();
    await expect(guard.watch(new Promise(() => undefined))).rejects.toThrow(
      new ExecutionEnded('Returned promise will never resolve'),
    );
  });

  test('host work the function waits on keeps it alive, however long it takes', async () => {
    const guard = new ExecutionGuard();
    // A digest on a busy thread pool: no syscall, and longer than the idle wait.
    const digest = new Promise<string>((resolve) =>
      setTimeout(() => resolve('digest'), 350),
    );
    guard.track(digest);
    await expect(guard.watch(digest)).resolves.toBe('digest');

    // Once that work is done, a promise nothing settles is found as before.
    const stuck = new ExecutionGuard();
    const done = Promise.resolve('done');
    stuck.track(done);
    await expect(
      stuck.watch(done.then(() => new Promise(() => undefined))),
    ).rejects.toThrow('Returned promise will never resolve');
  });

  test('time spent in syscalls is not user time; time between them is', async () => {
    const guard = new ExecutionGuard(50);
    const slowSyscall = guard.guard(
      () => new Promise((resolve) => setTimeout(() => resolve('ok'), 80)),
    );
    await expect(guard.watch(slowSyscall('op', '{}'))).resolves.toBe('ok');

    const busy = new ExecutionGuard(50);
    const syscall = busy.guard(async () => 'ok');
    const spin = async () => {
      await syscall('op', '{}');
      const until = performance.now() + 80;
      while (performance.now() < until);
      return syscall('op', '{}');
    };
    await expect(busy.watch(spin())).rejects.toThrow(
      'Function execution timed out (maximum duration: 0.05s)',
    );
    await expect(syscall('op', '{}')).rejects.toBeInstanceOf(ExecutionEnded);
  });
});

describe('queries and mutations that cannot finish', () => {
  test('a query awaiting a promise that never settles fails', async () => {
    await using rt = await startBasicRuntime();
    expect(await rt.runner.runQuery('errors:neverResolves', {})).toMatchObject({
      success: false,
      errorMessage: 'Returned promise will never resolve',
    });
  });

  test('a mutation past 1 s of user time fails, and none of its writes commit', async () => {
    await using rt = await startBasicRuntime();
    expect(await rt.runner.runMutation('errors:spins', {})).toMatchObject({
      success: false,
      errorMessage: 'Function execution timed out (maximum duration: 1s)',
    });
    expect(
      await rt.runner.runQuery('messages:list', { channel: 'spin' }),
    ).toMatchObject({ value: [] });
  });
});
