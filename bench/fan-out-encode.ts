/**
 * Fan-out encoding (issue 8, W9): one query result of 100 documents, fresh
 * at every round, sent to 100 sessions subscribed to that query, through the
 * real sync path (SubscriptionHub → SyncConnection → SyncSession → encode)
 * over in-process sockets. It reports the CPU time of one fan-out, and of
 * the same fan-out's work per session.
 *
 * Hand-run, not part of `npm run bench`:
 *
 *   node --expose-gc --import tsx bench/fan-out-encode.ts [sessions] [documents] [rounds]
 *
 * The sockets do what uWebSockets.js does with a frame before it writes: a
 * string frame is flattened and copied out as UTF-8 (`String::Utf8Value`),
 * so the fake socket converts it too; a byte frame is written as it is.
 * Nothing reads the frames: the client's side is not the server's cost.
 *
 * Not measured: the query run itself (each round's result is built before
 * the clock starts, as the runtime would hand over a fresh value).
 */
import { argv } from 'node:process';
import type { Value } from '../src/protocol/values.ts';
import { ReadSet } from '../src/store/read-set.ts';
import type { QuerySpec } from '../src/sync/query-spec.ts';
import { SubscriptionHub } from '../src/sync/subscription-hub.ts';
import {
  SyncConnection,
  type SyncServices,
  type SyncSocket,
} from '../src/sync/sync-connection.ts';

const sessions = Number(argv[2] ?? 100);
const documents = Number(argv[3] ?? 100);
const rounds = Number(argv[4] ?? 300);
/** Rounds run first and not counted: the JIT settles on the hot paths. */
const warmUp = 50;

/** A document shaped as `ctx.db.query(...).collect()` returns one. */
function document(i: number, round: number): Value {
  return {
    _id: `k57${String(i).padStart(4, '0')}${'x'.repeat(25)}`,
    _creationTime: 1_763_900_000_000 + i + 0.5,
    author: `user ${i % 7}`,
    body: `Message ${i} of round ${round}: "quoted", tab\t, ünïcødé ✓. `.repeat(
      3,
    ),
    likes: BigInt(i * 3),
    tags: ['a', 'b', String(i % 5)],
    meta: { edited: i % 2 === 0, score: i / 7 },
  };
}

function result(round: number): Value {
  return Array.from({ length: documents }, (_, i) => document(i, round));
}

class CountingSocket implements SyncSocket {
  frames = 0;
  bytes = 0;
  onFrame: () => void = () => undefined;

  send(frame: string | Uint8Array): void {
    this.bytes +=
      typeof frame === 'string'
        ? Buffer.from(frame, 'utf8').length
        : frame.length;
    this.frames += 1;
    this.onFrame();
  }

  bufferedBytes(): number {
    return 0;
  }

  cork(write: () => void): void {
    write();
  }

  close(): void {
    throw new Error('the bench never closes a socket');
  }
}

const values = Array.from({ length: warmUp + rounds + 1 }, (_, round) =>
  result(round),
);
let round = 0;
let ts = 1n;
const hub = new SubscriptionHub<QuerySpec>(
  async (_spec, at) => ({
    ts: at,
    readSet: new ReadSet(),
    result: {
      success: true,
      value: values[round] ?? null,
      logLines: [],
      journal: null,
    },
  }),
  { latestTs: ts },
);
const services: SyncServices = {
  hub,
  latestTs: async () => ts,
  catchUp: async () => ts,
  runMutation: () => Promise.reject(new Error('no mutations here')),
  runAction: () => Promise.reject(new Error('no actions here')),
  authenticate: () => Promise.reject(new Error('no auth here')),
  log: (level, message) => console.error(level, message),
  transitionSent: () => undefined,
};

const sockets = Array.from({ length: sessions }, () => new CountingSocket());
const connections = sockets.map(
  (socket) => new SyncConnection(socket, services, { clientVersion: '1.48.0' }),
);

/** Resolves once every socket has had `frames` frames. */
function everySocketHas(frames: number): Promise<void> {
  return new Promise((resolve) => {
    let waiting = 0;
    for (const socket of sockets) {
      if (socket.frames >= frames) continue;
      waiting += 1;
      socket.onFrame = () => {
        if (socket.frames < frames) return;
        socket.onFrame = () => undefined;
        waiting -= 1;
        if (waiting === 0) resolve();
      };
    }
    if (waiting === 0) resolve();
  });
}

for (const connection of connections)
  connection.receive(
    JSON.stringify({
      type: 'ModifyQuerySet',
      baseVersion: 0,
      newVersion: 1,
      modifications: [
        { type: 'Add', queryId: 0, udfPath: 'messages:list', args: [{}] },
      ],
    }),
  );
await everySocketHas(1);
if (hub.size !== 1) throw new Error(`expected one shared query, ${hub.size}`);

const cpuMicros: number[] = [];
const wallMicros: number[] = [];
for (let i = 1; i <= warmUp + rounds; i++) {
  round = i;
  ts += 1n;
  (globalThis as { gc?: () => void }).gc?.();
  const done = everySocketHas(i + 1);
  const cpu = process.cpuUsage();
  const wall = performance.now();
  hub.invalidateAll();
  await done;
  const used = process.cpuUsage(cpu);
  if (i > warmUp) {
    cpuMicros.push(used.user + used.system);
    wallMicros.push((performance.now() - wall) * 1000);
  }
}

const frameBytes = (sockets[0]?.bytes ?? 0) / (warmUp + rounds + 1);
const median = (list: number[]) =>
  [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? Number.NaN;
console.log(
  JSON.stringify(
    {
      sessions,
      documents,
      rounds,
      frameBytes: Math.round(frameBytes),
      cpuMsPerFanOut: median(cpuMicros) / 1000,
      cpuMicrosPerSession: median(cpuMicros) / sessions,
      wallMsPerFanOut: median(wallMicros) / 1000,
      gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
    },
    null,
    2,
  ),
);
for (const connection of connections) connection.closed();
