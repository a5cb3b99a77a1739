import { describe, expect, test } from 'vitest';
import type { ExecutionRecord } from '../runtime/execution-listeners.ts';
import { FunctionLog } from '../runtime/function-log.ts';
import type { FunctionRunner } from '../runtime/function-runner.ts';
import { startHttpApi } from './http-api.ts';

const ADMIN_KEY = 'converge|key';

async function logApi(functionLog: FunctionLog) {
  const api = await startHttpApi({
    runner: {} as FunctionRunner,
    latestTs: () => Promise.resolve(1n),
    authority: { verifier: null, adminKey: ADMIN_KEY },
    instanceName: 'converge',
    version: '1.2.3',
    transport: 'native',
    log: () => {},
    functionLog,
  });
  const poll = async (
    cursor: string,
    authorization: string | null = `Convex ${ADMIN_KEY}`,
  ) => {
    const response = await api.handle({
      method: 'GET',
      url: `/api/stream_function_logs?cursor=${cursor}`,
      headers: {
        'convex-client': 'npm-cli-1.48.0',
        ...(authorization === null ? {} : { authorization }),
      },
      body: Buffer.alloc(0),
      remoteAddress: '127.0.0.1',
    });
    return {
      status: response.status,
      body: JSON.parse(response.body.toString()) as Record<string, unknown>,
    };
  };
  return { api, poll, [Symbol.asyncDispose]: () => api.close() };
}

function ran(overrides: Partial<ExecutionRecord>): ExecutionRecord {
  return {
    kind: 'mutation',
    path: 'messages:send',
    durationMs: 250,
    success: true,
    occRetries: 0,
    logLines: [],
    errorMessage: null,
    endedAtMs: 1_700_000_000_000,
    ...overrides,
  };
}

describe('GET /api/stream_function_logs', () => {
  test('answers what ran after the cursor as Completion entries, times in seconds', async () => {
    const log = new FunctionLog();
    await using tail = await logApi(log);
    log.append(ran({ logLines: ["[LOG] 'sent'"] }));
    log.append(
      ran({
        kind: 'query',
        path: 'messages:list',
        success: false,
        errorMessage: 'Uncaught Error: boom',
        endedAtMs: 1_700_000_001_000,
        durationMs: 4,
      }),
    );
    const { status, body } = await tail.poll('0');
    expect(status).toBe(200);
    expect(body).toEqual({
      entries: [
        expect.objectContaining({
          kind: 'Completion',
          udfType: 'Mutation',
          identifier: 'messages:send',
          logLines: ["[LOG] 'sent'"],
          timestamp: 1_700_000_000,
          executionTime: 0.25,
          executionTimestamp: 1_699_999_999.75,
          error: null,
          cachedResult: false,
        }) as unknown,
        expect.objectContaining({
          udfType: 'Query',
          identifier: 'messages:list',
          error: 'Uncaught Error: boom',
        }) as unknown,
      ],
      newCursor: 1_700_000_001_000,
    });
  });

  test('holds a poll with nothing new until a function finishes', async () => {
    const log = new FunctionLog();
    await using tail = await logApi(log);
    log.append(ran({}));
    const { newCursor } = (await tail.poll('0')).body;

    const held = tail.poll(String(newCursor));
    log.append(ran({ path: 'messages:later', endedAtMs: 1_700_000_002_000 }));
    expect((await held).body).toMatchObject({
      entries: [{ identifier: 'messages:later' }],
      newCursor: 1_700_000_002_000,
    });
  });

  test('a held poll is answered when the API closes', async () => {
    const log = new FunctionLog();
    const tail = await logApi(log);
    const held = tail.poll('5');
    while (log.waiting === 0) await new Promise(setImmediate);
    await tail.api.close();
    expect((await held).body).toEqual({ entries: [], newCursor: 5 });
  });

  test('answers a first poll (cursor 0) at once, even before anything ran', async () => {
    await using tail = await logApi(new FunctionLog());
    const { status, body } = await tail.poll('0');
    expect(status).toBe(200);
    expect(body['entries']).toEqual([]);
    expect(body['newCursor']).toBeGreaterThan(0);
  });

  test('needs the admin key, acting as nobody, and a numeric cursor', async () => {
    await using tail = await logApi(new FunctionLog());
    expect(await tail.poll('0', null)).toEqual({
      status: 403,
      body: {
        code: 'Unauthorized',
        message: 'Operation stream_function_logs not permitted',
      },
    });
    const actingAs = Buffer.from(
      JSON.stringify({ subject: 'ada', issuer: 'https://id.test' }),
    ).toString('base64');
    expect(
      (await tail.poll('0', `Convex ${ADMIN_KEY}:${actingAs}`)).status,
    ).toBe(403);
    expect((await tail.poll('0', 'Convex not-the-key')).status).toBe(401);
    expect(await tail.poll('soon')).toMatchObject({
      status: 400,
      body: { code: 'BadQueryArgs' },
    });
  });
});
