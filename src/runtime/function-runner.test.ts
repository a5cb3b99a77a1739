import { startBasicRuntime } from '../../test/helpers/basic-runtime.ts';
import { describe, expect, test } from 'vitest';

describe('FunctionRunner', () => {
  test('a mutation writes, and a query reads it back through an index, with its log lines', async () => {
    await using rt = await startBasicRuntime();
    const sent = await rt.runner.runMutation('messages:send', {
      channel: 'general',
      body: 'hello',
    });
    expect(sent).toMatchObject({ success: true, logLines: [] });
    if (!sent.success) throw new Error(sent.errorMessage);
    expect(typeof sent.value).toBe('string');
    expect(sent.ts).toBe(await rt.store.latestTs());

    await rt.runner.runMutation('messages:send', {
      channel: 'random',
      body: 'elsewhere',
    });
    const listed = await rt.runner.runQuery('messages:list', {
      channel: 'general',
    });
    expect(listed).toMatchObject({
      success: true,
      value: [{ _id: sent.value, channel: 'general', body: 'hello' }],
      logLines: ["[LOG] 'listing' 'general'"],
    });
    expect(listed.readSet.size).toBeGreaterThan(0);
  });

  test('arguments and return values are validated against the function validators', async () => {
    await using rt = await startBasicRuntime();
    expect(
      await rt.runner.runMutation('messages:send', { channel: 'general' }),
    ).toMatchObject({
      success: false,
      errorMessage:
        'ArgumentValidationError: Object is missing the required field `body`. Consider wrapping the field validator in `v.optional(...)` if this is expected.\n\nObject: {channel: "general"}\nValidator: v.object({body: v.string(), channel: v.string()})',
    });
    expect(
      await rt.runner.runQuery('messages:list', { channel: 7 }),
    ).toMatchObject({
      success: false,
      errorMessage:
        'ArgumentValidationError: Value does not match validator.\nPath: .channel\nValue: 7.0\nValidator: v.string()',
    });
  });

  test('every spelling of a path reaches the same function', async () => {
    await using rt = await startBasicRuntime();
    for (const path of [
      'messages',
      'messages:default',
      'messages.js',
      'messages.js:default',
    ]) {
      expect(await rt.runner.runQuery(path, {})).toMatchObject({
        success: true,
        value: 'the default export',
      });
    }
  });

  test('internal functions are unreachable from clients; kinds must match', async () => {
    await using rt = await startBasicRuntime();
    expect(
      await rt.runner.runMutation('messages:clear', {}, { fromClient: true }),
    ).toMatchObject({
      success: false,
      errorMessage:
        "Could not find public function for 'messages:clear'. Did you forget to run `npx convex dev` or `npx convex deploy`?",
    });
    expect(await rt.runner.runMutation('messages:clear', {})).toMatchObject({
      success: true,
    });
    expect(await rt.runner.runQuery('messages:send', {})).toMatchObject({
      success: false,
      errorMessage:
        'Trying to execute messages:send as Query, but it is defined as Mutation.',
    });
    expect(await rt.runner.runQuery('nowhere:fn', {})).toMatchObject({
      success: false,
    });
  });

  test('a write that breaks the schema fails with Convex’s message', async () => {
    await using rt = await startBasicRuntime();
    expect(
      await rt.runner.runMutation('errors:breaksSchema', {}),
    ).toMatchObject({
      success: false,
      errorMessage:
        'Uncaught Error: Failed to insert or update a document in table "messages" because it does not match the schema: Value does not match validator.\nPath: .body\nValue: 7.0\nValidator: v.string()',
    });
  });

  test('20 concurrent read-modify-write mutations on one counter end at exactly 20, none run twice', async () => {
    await using rt = await startBasicRuntime();
    // SQLite has one writer: mutations take turns instead of losing to each other.
    expect(rt.store.soleWriter).toBe(true);
    const retries: number[] = [];
    rt.runner.onExecution((run) => retries.push(run.occRetries));
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        rt.runner.runMutation('counters:increment', { name: 'hits' }),
      ),
    );
    expect(results.filter((r) => !r.success)).toEqual([]);
    expect(
      await rt.runner.runQuery('counters:get', { name: 'hits' }),
    ).toMatchObject({ value: 20 });
    expect(retries.filter((n) => n > 0)).toEqual([]);
  });

  // A re-sent request is looked up before it runs; one said to be new is
  // not, so if a client wrongly calls a re-send new, the run is wasted, its
  // commit loses to the record, and the rerun answers from the record.
  test.each([
    { said: 'a re-sent mutation', mayBeResent: undefined },
    { said: 'a request said to be new', mayBeResent: false },
  ])(
    '$said of a session is answered from its record, committed once',
    async ({ mayBeResent }) => {
      await using rt = await startBasicRuntime();
      const session = {
        sessionId: '0c5a9b2e-3f44-4a4e-9d3e-6c2f1b7a8e11',
        requestId: 3,
        ...(mayBeResent === undefined ? {} : { mayBeResent }),
      };
      const first = await rt.runner.runMutation(
        'counters:increment',
        { name: 'once' },
        { session },
      );
      const again = await rt.runner.runMutation(
        'counters:increment',
        { name: 'once' },
        { session },
      );
      expect(again).toEqual({
        success: true,
        value: null,
        logLines: [],
        ts: first.ts,
      });
      expect(
        await rt.runner.runQuery('counters:get', { name: 'once' }),
      ).toMatchObject({ value: 1 });
    },
  );

  test('a thrown error is a failure value; a ConvexError keeps its data; nothing commits', async () => {
    await using rt = await startBasicRuntime();
    expect(await rt.runner.runQuery('errors:fails', {})).toMatchObject({
      success: false,
      errorMessage: 'Uncaught Error: boom',
    });
    const refused = await rt.runner.runMutation('errors:refuses', {});
    expect(refused).toMatchObject({
      success: false,
      errorMessage: 'Uncaught ConvexError: {"code":"forbidden","limit":"3n"}',
      errorData: { code: 'forbidden', limit: 3n },
    });
    expect(await rt.runner.runQuery('errors:count', {})).toMatchObject({
      success: true,
      value: 0,
    });
  });
});

test('settled() resolves once the actions and mutations running when it is asked have finished', async () => {
  await using rt = await startBasicRuntime();
  let posted = false;
  const post = rt.runner
    .runAction('actions:post', { channel: 'general', body: 'before closing' })
    .then((result) => {
      posted = true;
      return result;
    });

  await rt.runner.settled();
  expect(posted).toBe(true);
  expect(await post).toMatchObject({ success: true });
  expect(
    await rt.runner.runQuery('messages:list', { channel: 'general' }),
  ).toMatchObject({ success: true, value: [{ body: 'before closing' }] });
});

test('arguments that are not Convex values are a failure, not a throw', async () => {
  await using rt = await startBasicRuntime();
  const result = await rt.runner.runMutation('messages:send', {
    channel: 'general',
    body: 'x',
    nested: { $reserved: 1 },
  });
  expect(result).toMatchObject({ success: false });
  if (result.success) throw new Error('unreachable');
  expect(result.errorMessage).toMatch(/^ArgumentValidationError: /);
});
