/**
 * Memory per idle sync session (issue 8, W7): a server in a child process
 * (test/apps/load) holds N sessions, each subscribed to a query of its own
 * (`counters:get` of its own name, as the load test subscribes), and this
 * reports what they add to the server, per session:
 *
 * - `rss`: the resident set from /proc, as the load test reads it, garbage
 *   and all;
 * - after a full garbage collection, asked of the server through its
 *   inspector: the resident set, the V8 heap in use, and the memory outside
 *   the heap that V8 knows of (`external`: array buffers and the like);
 * - with `--kinds`, the kinds of heap object the heap grew by, from two
 *   heap snapshots (`--heapsnapshot-signal`), each taken after a collection.
 *   A snapshot inflates the resident set, so this mode reports no RSS;
 * - with `--allocations`, what outlived a scavenge while the sessions
 *   opened (live objects, and the garbage promoted to the old space that
 *   the raw resident set holds until a full collection), by function, from
 *   the inspector's sampling heap profiler. Its collection at the end would
 *   skew the resident set, so this mode reports no RSS either.
 *
 * The young generation and the old space's uncollected garbage make the raw
 * resident set vary by a few KiB per session from run to run; the heap
 * after a collection is steady to a few bytes.
 *
 * Hand-run, not part of `npm run bench` or of the tests:
 *
 *   node --import tsx bench/session-memory.ts [sessions] [--kinds] [--allocations]
 *
 * `SERVER_NODE_OPTIONS` adds V8 or Node flags to the server's.
 */
import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { argv } from 'node:process';
import WebSocket from 'ws';
import { startServerProcess } from '../test/helpers/converge-process.ts';
import {
  type RawSession,
  openRawSession,
} from '../test/reliability/raw-session.ts';
import { processMemory } from '../test/reliability/process-memory.ts';

const sessions = Number(
  argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 10_000,
);
const kinds = argv.includes('--kinds');
const allocations = argv.includes('--allocations');
/** Sockets opening at once, as the load test opens them. */
const CONNECT_BATCH = 200;
/** Sessions opened and closed first, so the baseline has run the query and warmed every path. */
const WARM_UP = 200;

const sleep = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));

const diagnostics = mkdtempSync(join(tmpdir(), 'converge-session-memory-'));
await using server = await startServerProcess('load', {
  env: {
    NODE_OPTIONS: `${process.env['SERVER_NODE_OPTIONS'] ?? ''} --inspect=127.0.0.1:0 --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${diagnostics}`,
  },
});
const inspector = await connectInspector();

/** A client of the server's inspector: one method call at a time is all this needs. */
async function connectInspector() {
  const url = /Debugger listening on (ws:\/\/\S+)/.exec(server.logs())?.[1];
  if (url === undefined) throw new Error('the server has no inspector');
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let lastId = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  socket.on('message', (data: Buffer) => {
    const reply = JSON.parse(data.toString('utf8')) as {
      id?: number;
      result?: unknown;
    };
    if (reply.id !== undefined) waiting.get(reply.id)?.(reply.result);
  });
  return {
    call(method: string, params: object = {}): Promise<unknown> {
      const id = ++lastId;
      socket.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve) => waiting.set(id, resolve));
    },
    close: () => socket.close(),
  };
}

interface Collected {
  rss: number;
  heapUsed: number;
  external: number;
}

/** The server's V8 heap spaces, in MiB resident, as it holds them now. */
async function spaces(): Promise<Record<string, number>> {
  const reply = (await inspector.call('Runtime.evaluate', {
    expression:
      "JSON.stringify(Object.fromEntries(require('node:v8').getHeapSpaceStatistics().map((s) => [s.space_name, Math.round(s.physical_space_size / 2 ** 20)])))",
    includeCommandLineAPI: true,
    returnByValue: true,
  })) as { result: { value: string } };
  return JSON.parse(reply.result.value) as Record<string, number>;
}

/** The server's memory once it has collected all its garbage. */
async function collected(): Promise<Collected> {
  await inspector.call('HeapProfiler.collectGarbage');
  const reply = (await inspector.call('Runtime.evaluate', {
    expression: 'JSON.stringify(process.memoryUsage())',
    returnByValue: true,
  })) as { result: { value: string } };
  return JSON.parse(reply.result.value) as Collected;
}

async function openSessions(
  count: number,
  prefix: string,
): Promise<RawSession[]> {
  const opened: RawSession[] = [];
  for (let first = 0; first < count; first += CONNECT_BATCH) {
    const batch: RawSession[] = [];
    for (let i = first; i < Math.min(first + CONNECT_BATCH, count); i++)
      batch.push(
        openRawSession(server.url, {
          udfPath: 'counters:get',
          args: { name: `${prefix}-${i}` },
        }),
      );
    await Promise.all(batch.map((session) => session.subscribed));
    opened.push(...batch);
  }
  return opened;
}

interface HeapSummary {
  totalBytes: number;
  /** Self size and count by kind: an object's constructor, or the node type. */
  byKind: Map<string, { bytes: number; count: number }>;
}

/** Has the server write a heap snapshot, and sums it by kind of object. */
async function heapSnapshot(): Promise<HeapSummary> {
  const before = new Set(readdirSync(diagnostics));
  process.kill(server.pid, 'SIGUSR2');
  let file: string | undefined;
  let size = -1;
  for (;;) {
    await sleep(500);
    file ??= readdirSync(diagnostics).find(
      (name) => name.endsWith('.heapsnapshot') && !before.has(name),
    );
    if (file === undefined) continue;
    const now = statSync(join(diagnostics, file)).size;
    if (now === size && now > 0) {
      try {
        return summarize(readFileSync(join(diagnostics, file), 'utf8'));
      } catch {
        // Not yet complete: a pause in the writing, not its end.
      }
    }
    size = now;
  }
}

interface Snapshot {
  snapshot: {
    meta: { node_fields: string[]; node_types: [string[], ...unknown[]] };
  };
  nodes: number[];
  strings: string[];
}

function summarize(text: string): HeapSummary {
  const { snapshot, nodes, strings } = JSON.parse(text) as Snapshot;
  const fields = snapshot.meta.node_fields;
  const types = snapshot.meta.node_types[0];
  const stride = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const byKind = new Map<string, { bytes: number; count: number }>();
  let totalBytes = 0;
  for (let i = 0; i < nodes.length; i += stride) {
    const type = types[nodes[i + typeAt] ?? 0] ?? '?';
    const bytes = nodes[i + sizeAt] ?? 0;
    const name = strings[nodes[i + nameAt] ?? 0] ?? '?';
    const kind =
      type === 'object' || type === 'native' || type === 'hidden'
        ? `${type} ${name.slice(0, 60)}`
        : type === 'closure'
          ? `closure ${name.slice(0, 60)}`
          : type;
    const entry = byKind.get(kind) ?? { bytes: 0, count: 0 };
    entry.bytes += bytes;
    entry.count += 1;
    byKind.set(kind, entry);
    totalBytes += bytes;
  }
  return { totalBytes, byKind };
}

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

/** Bytes that outlived a scavenge while the sessions opened, per session, by function and by the nearest frame of ours. */
function reportAllocations(head: SamplingNode): void {
  const byFrame = new Map<string, number>();
  const ours = new Map<string, number>();
  const walk = (node: SamplingNode, path: string[]) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const frame = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|src)\//, '$1/')}:${lineNumber + 1}`;
    const here = [...path, frame];
    byFrame.set(frame, (byFrame.get(frame) ?? 0) + node.selfSize);
    const own = [...here].reverse().find((f) => f.includes(' src/'));
    if (own) ours.set(own, (ours.get(own) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child, here);
  };
  walk(head, []);
  const top = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 25)
      .map(
        ([frame, bytes]) =>
          `${(bytes / sessions).toFixed(0).padStart(7)} B  ${frame}`,
      )
      .join('\n');
  console.log(`\npromoted per session, by function:\n${top(byFrame)}`);
  console.log(
    `\npromoted per session, by the nearest frame in src/:\n${top(ours)}`,
  );
}

const warm = await openSessions(WARM_UP, 'warm');
for (const session of warm) session.close();
await sleep(2000);

const idleHeap = kinds ? await heapSnapshot() : null;
const idle = processMemory(server.pid);
const idleCollected = await collected();
if (allocations)
  await inspector.call('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    // What survives a scavenge: objects still live, and the garbage that
    // was promoted first, which only a full collection frees and which
    // the resident set holds until then.
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: false,
  });
const started = performance.now();
const held = await openSessions(sessions, 'session');
if (allocations) {
  await inspector.call('HeapProfiler.collectGarbage');
  const { profile } = (await inspector.call('HeapProfiler.stopSampling')) as {
    profile: { head: SamplingNode };
  };
  reportAllocations(profile.head);
}
const connectSeconds = (performance.now() - started) / 1000;
await sleep(2000);
const full = processMemory(server.pid);
const heldSpaces = await spaces();
const fullCollected = await collected();
const collectedSpaces = await spaces();
const heldHeap = kinds ? await heapSnapshot() : null;
if (held.some((session) => !session.isOpen()))
  throw new Error('a session closed while held');

const perSession = (bytes: number) => Math.round(bytes / sessions);
const mib = (bytes: number) => Number((bytes / 2 ** 20).toFixed(1));
console.log(
  JSON.stringify(
    {
      sessions,
      connectSeconds: Number(connectSeconds.toFixed(1)),
      idleRssMiB: mib(idle.rssBytes),
      heldRssMiB: mib(full.rssBytes),
      ...(kinds || allocations
        ? {}
        : {
            rssBytesPerSession: perSession(full.rssBytes - idle.rssBytes),
            collectedRssBytesPerSession: perSession(
              fullCollected.rss - idleCollected.rss,
            ),
          }),
      // What the resident set holds besides live objects: the old space
      // before and after a full collection, and the young generation.
      heldOldSpaceMiB: heldSpaces['old_space'],
      collectedOldSpaceMiB: collectedSpaces['old_space'],
      heldNewSpaceMiB: heldSpaces['new_space'],
      heapBytesPerSession: perSession(
        fullCollected.heapUsed - idleCollected.heapUsed,
      ),
      externalBytesPerSession: perSession(
        fullCollected.external - idleCollected.external,
      ),
    },
    null,
    2,
  ),
);
if (idleHeap && heldHeap) {
  const grown = [...heldHeap.byKind]
    .map(([kind, { bytes, count }]) => {
      const was = idleHeap.byKind.get(kind) ?? { bytes: 0, count: 0 };
      return {
        kind,
        bytesPerSession: (bytes - was.bytes) / sessions,
        countPerSession: (count - was.count) / sessions,
      };
    })
    .filter((row) => Math.abs(row.bytesPerSession) >= 4)
    .sort((a, b) => b.bytesPerSession - a.bytesPerSession);
  console.log('\nheap growth per session, by kind of object:');
  for (const row of grown)
    console.log(
      `${row.bytesPerSession.toFixed(0).padStart(7)} B ${row.countPerSession.toFixed(2).padStart(7)} × ${row.kind}`,
    );
}
for (const session of held) session.close();
inspector.close();
rmSync(diagnostics, { recursive: true, force: true });
