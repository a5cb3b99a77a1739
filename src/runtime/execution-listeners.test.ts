import { describe, expect, test } from 'vitest';
import { startBasicRuntime } from '../../test/helpers/basic-runtime.ts';
import type { DocumentStore } from '../store/store.ts';
import type { ExecutionRecord } from './execution-listeners.ts';
import { FunctionRunner } from './function-runner.ts';

describe('the runner reports every function it runs', () => {
  test('a query, a mutation and a failure, each once, with kind, path, outcome and log lines', async () => {
    await using rt = await startBasicRuntime();
    const heard: ExecutionRecord[] = [];
    const stop = rt.runner.onExecution((record) => heard.push(record));

    await rt.runner.runMutation('messages:send', { channel: 'a', body: 'hi' });
    await rt.runner.runQuery('messages:list', { channel: 'a' });
    await rt.runner.runMutation('errors:refuses', {});
    expect(heard).toMatchObject([
      {
        kind: 'mutation',
        path: 'messages:send',
        success: true,
        occRetries: 0,
        errorMessage: null,
      },
      {
        kind: 'query',
        path: 'messages:list',
        success: true,
        logLines: ["[LOG] 'listing' 'a'"],
      },
      {
        kind: 'mutation',
        path: 'errors:refuses',
        success: false,
        errorMessage: expect.stringMatching(/^Uncaught ConvexError/) as string,
      },
    ]);
    for (const { durationMs } of heard) expect(durationMs).toBeGreaterThan(0);
    // Each is stamped when it finished, in order.
    const ends = heard.map((record) => record.endedAtMs);
    expect(ends).toEqual([...ends].sort((a, b) => a - b));

    // A function that does not exist never ran; after stop, nothing is heard.
    await rt.runner.runQuery('messages:nowhere', {});
    stop();
    await rt.runner.runQuery('messages:list', { channel: 'a' });
    expect(heard).toHaveLength(3);
  });

  test('an action and the calls it makes are separate runs; its own finishes last', async () => {
    await using rt = await startBasicRuntime();
    const heard: ExecutionRecord[] = [];
    rt.runner.onExecution((record) => heard.push(record));

    await rt.runner.runAction('actions:post', { channel: 'a', body: 'hi' });
    expect(heard.map(({ kind, path }) => `${kind} ${path}`)).toEqual([
      'mutation messages:send',
      'query messages:list',
      'action actions:post',
    ]);
  });

  test('a re-sent mutation answered from its record is not a run', async () => {
    await using rt = await startBasicRuntime();
    const heard: ExecutionRecord[] = [];
    rt.runner.onExecution((record) => heard.push(record));
    const session = { sessionId: 's', requestId: 1 };

    const args = { channel: 'a', body: 'once' };
    await rt.runner.runMutation('messages:send', args, { session });
    await rt.runner.runMutation('messages:send', args, { session });
    expect(heard).toHaveLength(1);
  });

  test('a mutation whose read changed before it committed runs again, and says how often', async () => {
    await using rt = await startBasicRuntime();
    await rt.runner.runMutation('counters:increment', { name: 'hits' });

    // A store whose first commit is beaten by a rival increment of the same
    // counter, committed after the mutation read it.
    let rivals = 1;
    const racing: DocumentStore = Object.create(rt.store, {
      begin: {
        value: async (options?: Parameters<DocumentStore['begin']>[0]) => {
          const tx = await rt.store.begin(options);
          const commit = tx.commit.bind(tx);
          tx.commit = async () => {
            if (rivals-- > 0)
              await rt.runner.runMutation('counters:increment', {
                name: 'hits',
              });
            return commit();
          };
          return tx;
        },
      },
    }) as DocumentStore;
    const runner = new FunctionRunner(rt.loaded, racing);
    const heard: ExecutionRecord[] = [];
    runner.onExecution((record) => heard.push(record));

    const outcome = await runner.runMutation('counters:increment', {
      name: 'hits',
    });
    expect(outcome).toMatchObject({ success: true });
    expect(heard).toMatchObject([
      { path: 'counters:increment', success: true, occRetries: 1 },
    ]);
    // The first increment, the rival's, and this one's second run: no
    // increment lost and none counted twice.
    expect(
      await rt.runner.runQuery('counters:get', { name: 'hits' }),
    ).toMatchObject({ value: 3 });
  });
});
