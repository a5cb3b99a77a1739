/**
 * Actions through the runtime: no transaction of their own; each runQuery and
 * runMutation is a call of its own, internal functions are reachable from
 * them, and a ConvexError thrown by a called function arrives as one.
 */
import { startBasicRuntime } from '../../test/helpers/basic-runtime.ts';
import { expect, test } from 'vitest';

test('an action runs a mutation and a query, each its own call, and sees the real clock', async () => {
  await using rt = await startBasicRuntime();
  const before = Date.now();
  const result = await rt.runner.runAction(
    'actions:post',
    { channel: 'general', body: 'hi' },
    { fromClient: true },
  );
  if (!result.success) throw new Error(result.errorMessage);
  const value = result.value as { id: string; count: number; now: number };
  expect(value.count).toBe(1);
  expect(value.now).toBeGreaterThanOrEqual(before);
  expect(value.now).toBeLessThanOrEqual(Date.now());
  expect(result.logLines).toEqual([`[INFO] 'posted' '${value.id}'`]);
});

test('a ConvexError from a called mutation is a ConvexError in the action, with its data', async () => {
  await using rt = await startBasicRuntime();
  expect(
    await rt.runner.runAction('actions:catchesConvexError', {}),
  ).toMatchObject({
    success: true,
    value: { caught: { code: 'forbidden', limit: 3n } },
  });
});

test('actions reach internal functions; clients do not reach internal actions', async () => {
  await using rt = await startBasicRuntime();
  await rt.runner.runMutation('messages:send', {
    channel: 'general',
    body: 'x',
  });
  expect(
    await rt.runner.runAction(
      'actions:clearsInternally',
      {},
      { fromClient: true },
    ),
  ).toMatchObject({
    success: true,
    value: [],
  });
  expect(
    await rt.runner.runAction('actions:secret', {}, { fromClient: true }),
  ).toMatchObject({ success: false });
  expect(await rt.runner.runAction('actions:secret', {})).toMatchObject({
    success: true,
    value: 'internal',
  });
  expect(
    await rt.runner.runAction('actions:post', { channel: 1 }),
  ).toMatchObject({
    success: false,
    errorMessage: expect.stringMatching(
      /^ArgumentValidationError: /,
    ) as unknown,
  });
});
