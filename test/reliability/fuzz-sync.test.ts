/**
 * Bad input on the sync socket: seeded fuzzed frames (sync-fuzzer.ts) on raw
 * sockets to a live server, each answered as convex-protocol.md says
 * (sync-oracle.ts), while a bystander official client keeps a subscription
 * and runs mutations, and must see every one of them, in order, throughout.
 * Afterwards the server still answers `/health` and a new client works.
 *
 * CONVERGE_SEED=<seed> replays a run; the seed is printed first.
 */
import { makeFunctionReference } from 'convex/server';
import { describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { Draw } from '../differential/draw.ts';
import { startTestServer } from '../helpers/converge-server.ts';
import { convexClients } from '../helpers/convex-clients.ts';
import { watchQuery } from '../helpers/query-watch.ts';
import { reportFigures } from './figures.ts';
import { bySize } from './reliability-size.ts';
import {
  type SyncCategory,
  type SyncInput,
  SyncFuzzer,
  syncCategories,
} from './sync-fuzzer.ts';
import { type Expected, expectedOutcome } from './sync-oracle.ts';

const getCounter = makeFunctionReference<'query', { name: string }, number>(
  'counters:get',
);
const increment = makeFunctionReference<'mutation', { name: string }, null>(
  'counters:increment',
);

/** `limitMs`: the test's time limit, several times what the size takes on a busy 2-core machine. */
const size = bySize({
  ci: {
    perCategory: 25,
    oversized: 2,
    hugeLength: 1 << 20,
    sockets: 4,
    limitMs: 300_000,
  },
  full: {
    perCategory: 300,
    oversized: 6,
    hugeLength: 12 << 20,
    sockets: 8,
    limitMs: 1_800_000,
  },
});
const seed = Number(
  process.env['CONVERGE_SEED'] ?? Math.floor(Math.random() * 2 ** 31),
);

/**
 * How long one input may go unanswered before it counts as a stall: far
 * beyond any answer on a loaded 2-core machine (a huge input takes a second
 * or two), far below the test's own limit.
 */
const ANSWER_TIMEOUT_MS = 45_000;

describe('the sync socket under fuzzed frames', () => {
  test(
    'every bad input gets its documented answer; a bystander client is unaffected',
    async () => {
      console.log(`fuzz-sync: CONVERGE_SEED=${seed}`);
      await using server = await startTestServer('basic');
      await using clients = convexClients(server.url);
      const fuzzer = new SyncFuzzer(new Draw(seed), {
        hugeLength: size.hugeLength,
      });
      const queue: SyncCategory[] = [];
      for (let i = 0; i < size.perCategory; i += 1)
        for (const category of syncCategories)
          if (category !== 'oversized-frame' || i < size.oversized)
            queue.push(category);

      const bystander = startBystander(clients.open(), `bystander-${seed}`);
      const tried = new Map<SyncCategory, number>();
      const outcomes = new Map<Expected['kind'], number>();
      const failures: string[] = [];
      let next = 0;
      const wsBase = server.url.replace(/^http/, 'ws');
      await Promise.all(
        Array.from({ length: size.sockets }, async () => {
          for (let at = next++; at < queue.length; at = next++) {
            const input = fuzzer.input(queue[at] as SyncCategory);
            tried.set(input.category, (tried.get(input.category) ?? 0) + 1);
            const { expected, failure } = await play(wsBase, input);
            outcomes.set(expected.kind, (outcomes.get(expected.kind) ?? 0) + 1);
            if (failure !== null)
              failures.push(
                `${input.category}: ${input.description}: ${failure}`,
              );
          }
        }),
      );
      const watched = await bystander.stop();

      // The server is still up, and a client that arrives now is served.
      const health = await fetch(`${server.url}/health`);
      expect(health.status).toBe(200);
      const newcomer = clients.open();
      await newcomer.mutation(increment, { name: `newcomer-${seed}` });
      expect(
        await newcomer.query(getCounter, { name: `newcomer-${seed}` }),
      ).toBe(1);
      const crashes = server.logs.filter((line) =>
        line.includes('sync socket failed'),
      );

      reportFigures('fuzz-sync', {
        seed,
        inputs: queue.length,
        ...Object.fromEntries(
          [...tried].map(([category, count]) => [category, count]),
        ),
        ...Object.fromEntries(
          [...outcomes].map(([kind, count]) => [`answered ${kind}`, count]),
        ),
        failures: failures.length,
        'bystander mutations': watched.rounds,
        'bystander slowest round ms': watched.slowestMs,
      });
      expect(failures.slice(0, 20)).toEqual([]);
      expect(crashes).toEqual([]);
      expect(watched.problems).toEqual([]);
      expect(watched.rounds).toBeGreaterThan(0);
    },
    size.limitMs,
  );

  // convex-protocol.md §1.1: the real backend parses the URL's version as
  // semver and answers 400 `InvalidVersion`.
  test('a sync URL whose client version is not semver is refused with 400', async () => {
    await using server = await startTestServer('basic');
    const wsBase = server.url.replace(/^http/, 'ws');
    for (const version of ['garbage', '1.48', 'v1.48.0', '1.48.0.0']) {
      const status = await new Promise<number>((resolve) => {
        const socket = new WebSocket(`${wsBase}/api/${version}/sync`);
        socket.on('error', () => {});
        socket.on('open', () => {
          socket.terminate();
          resolve(101);
        });
        socket.on('unexpected-response', (_request, response) => {
          resolve(response.statusCode ?? 0);
          socket.terminate();
        });
      });
      expect({ version, status }).toEqual({ version, status: 400 });
    }
  });
});

/**
 * Plays one input on a fresh socket and checks the answer against the
 * oracle's: the failure says what went wrong, or is null.
 */
async function play(
  wsBase: string,
  input: SyncInput,
): Promise<{ expected: Expected; failure: string | null }> {
  const expected = expectedOutcome(input.frames);
  return { expected, failure: await answer(wsBase, input, expected) };
}

async function answer(
  wsBase: string,
  input: SyncInput,
  expected: Expected,
): Promise<string | null> {
  const path =
    input.clientVersion === null
      ? '/api/sync'
      : `/api/${input.clientVersion}/sync`;
  const socket = new WebSocket(`${wsBase}${path}`, {
    maxPayload: 256 * 1024 * 1024,
  });
  const received: Received[] = [];
  let wake = (): void => {};
  let closed: { code: number; reason: string } | null = null;
  // A large Transition arrives in chunks; joined, as the client joins them,
  // it is recorded after its last chunk.
  let chunks: string[] = [];
  socket.on('message', (data: Buffer, isBinary) => {
    const message: Received = isBinary
      ? { type: 'binary' }
      : (JSON.parse(data.toString('utf8')) as Received);
    received.push(message);
    if (message.type === 'TransitionChunk') {
      chunks.push(String(message['chunk']));
      if (message['partNumber'] === Number(message['totalParts']) - 1) {
        received.push(JSON.parse(chunks.join('')) as Received);
        chunks = [];
      }
    }
    wake();
  });
  socket.on('open', () => wake());
  // A send the server cut short ends in an error before the close.
  socket.on('error', () => {});
  socket.on('close', (code, reason) => {
    closed = { code, reason: reason.toString() };
    wake();
  });
  const until = (done: () => boolean): Promise<boolean> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ANSWER_TIMEOUT_MS);
      wake = () => {
        if (!done()) return;
        clearTimeout(timer);
        resolve(true);
      };
      wake();
    });

  try {
    if (!(await until(() => socket.readyState !== WebSocket.CONNECTING)))
      return 'the socket never opened';
    if (socket.readyState !== WebSocket.OPEN) return 'the upgrade was refused';
    for (const frame of input.frames) {
      if (closed) break;
      await new Promise<void>((resolve) => {
        const done = (): void => resolve();
        if (frame.kind === 'text') socket.send(frame.text, done);
        else
          socket.send(frame.bytes, { binary: frame.kind === 'binary' }, done);
      });
    }
    if (expected.kind === 'served') {
      return await checkServed(
        expected,
        () => received,
        () => closed,
        until,
        (m) => socket.send(JSON.stringify(m)),
      );
    }
    if (!(await until(() => closed !== null)))
      return `expected ${describeExpected(expected)}, but the socket stayed open; received ${summary(received)}`;
    return checkClose(expected, received, closed);
  } finally {
    socket.terminate();
  }
}

async function checkServed(
  expected: Extract<Expected, { kind: 'served' }>,
  received: () => Received[],
  closed: () => { code: number; reason: string } | null,
  until: (done: () => boolean) => Promise<boolean>,
  send: (message: unknown) => void,
): Promise<string | null> {
  // One more identity change, a logout: its Transition shows every earlier
  // frame was taken, and where they left both versions.
  const probeIdentity = expected.identity + 1;
  send({
    type: 'Authenticate',
    tokenType: 'None',
    baseVersion: expected.identity,
  });
  const owed = (): number[] => {
    const answered = received()
      .filter(
        (m) => m.type === 'MutationResponse' || m.type === 'ActionResponse',
      )
      .map((m) => m['requestId'] as number);
    const missing = [...expected.requestIds];
    for (const id of answered) {
      const at = missing.indexOf(id);
      if (at >= 0) missing.splice(at, 1);
    }
    return missing;
  };
  const probed = () =>
    received().find(
      (m) =>
        m.type === 'Transition' &&
        (m['endVersion'] as { identity: number }).identity === probeIdentity,
    );
  const answered = await until(
    () => closed() !== null || (probed() !== undefined && owed().length === 0),
  );
  const close = closed();
  if (close)
    return `expected the socket served and open, but it closed ${close.code} ${close.reason}; received ${summary(received())}`;
  if (!answered)
    return `stalled: no Transition to identity ${probeIdentity} or no answer to requests ${owed().join(', ')} within ${ANSWER_TIMEOUT_MS} ms; received ${summary(received())}`;
  const { querySet } = probed()?.['endVersion'] as { querySet: number };
  if (querySet !== expected.querySet)
    return `expected query set version ${expected.querySet}, got ${querySet}`;
  const refusals = received().filter(
    (m) => m.type === 'FatalError' || m.type === 'AuthError',
  );
  return refusals.length === 0
    ? null
    : `expected no refusal, got ${summary(refusals)}`;
}

function checkClose(
  expected: Exclude<Expected, { kind: 'served' }>,
  received: Received[],
  closed: { code: number; reason: string } | null,
): string | null {
  if (closed === null) return 'not closed';
  const last = received.at(-1)?.type;
  const saw = `closed ${closed.code} ${closed.reason} after ${summary(received)}`;
  switch (expected.kind) {
    case 'fatal':
      return last === 'FatalError' && closed.code === 1005
        ? null
        : `expected ${describeExpected(expected)}, ${saw}`;
    case 'auth-error':
      return last === 'AuthError' && closed.code === 1005
        ? null
        : `expected ${describeExpected(expected)}, ${saw}`;
    case 'internal':
      return closed.code === 1011 && closed.reason === 'InternalServerError'
        ? null
        : `expected ${describeExpected(expected)}, ${saw}`;
    case 'failed':
      // Failing the connection: a close frame with 1007 or 1009, or none (1006).
      return [1006, 1007, 1009].includes(closed.code) &&
        !received.some((m) => m.type === 'FatalError')
        ? null
        : `expected ${describeExpected(expected)}, ${saw}`;
  }
}

function describeExpected(expected: Expected): string {
  return expected.kind === 'served'
    ? 'served'
    : `${expected.kind} (${expected.because})`;
}

function summary(messages: Received[]): string {
  return `[${messages
    .map((m) =>
      m.type === 'FatalError' || m.type === 'AuthError'
        ? `${m.type} ${String(m['error'])}`
        : m.type,
    )
    .join(', ')}]`;
}

/** A server message as the socket received it. */
interface Received {
  type: string;
  [field: string]: unknown;
}

interface Bystander {
  /** Stops after the round in flight; what it saw. */
  stop(): Promise<{ rounds: number; slowestMs: number; problems: string[] }>;
}

/**
 * An official client that subscribes to its own counter and increments it
 * over and over, checking that each mutation resolves and its subscription
 * then shows exactly the new count.
 */
function startBystander(
  client: ReturnType<ReturnType<typeof convexClients>['open']>,
  name: string,
): Bystander {
  const watch = watchQuery(client, getCounter, { name });
  const problems: string[] = [];
  let rounds = 0;
  let slowestMs = 0;
  let running = true;
  const done = (async () => {
    await watch.next((value) => value === 0, ANSWER_TIMEOUT_MS);
    while (running) {
      const started = Date.now();
      await client.mutation(increment, { name });
      rounds += 1;
      const seen = await watch.next(
        (value) => value >= rounds,
        ANSWER_TIMEOUT_MS,
      );
      if (seen !== rounds) problems.push(`round ${rounds} showed ${seen}`);
      slowestMs = Math.max(slowestMs, Date.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })().catch((error: unknown) => {
    problems.push(`the bystander failed: ${String(error)}`);
  });
  return {
    async stop() {
      running = false;
      await done;
      watch.unsubscribe();
      const values = watch.values;
      for (let i = 1; i < values.length; i += 1)
        if ((values[i] ?? 0) < (values[i - 1] ?? 0))
          problems.push(
            `the count went back from ${values[i - 1]} to ${values[i]}`,
          );
      for (const error of watch.errors)
        problems.push(`the subscription failed: ${error.message}`);
      return { rounds, slowestMs, problems };
    },
  };
}
