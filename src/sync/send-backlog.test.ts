/**
 * The slow-reader policy: SendBacklog on its own, fed buffered amounts and
 * clock readings, then a SyncConnection over a fake socket whose buffered
 * amount the test sets, told the time through `tick`.
 */
import { expect, test } from 'vitest';
import { ReadSet } from '../store/read-set.ts';
import type { QuerySpec } from './query-spec.ts';
import { DEFAULT_BACKLOG_LIMITS, SendBacklog } from './send-backlog.ts';
import { SubscriptionHub } from './subscription-hub.ts';
import {
  SyncConnection,
  type SyncServices,
  type SyncSocket,
} from './sync-connection.ts';

const MiB = 1 << 20;
const limits = { highWaterBytes: MiB, stallLimitMs: 20_000 };

test('an empty buffer flows, however long it stays empty', () => {
  const backlog = new SendBacklog(limits);
  backlog.sent(MiB);
  expect(backlog.observe(0, 0)).toBe('flowing');
  expect(backlog.observe(0, 600_000)).toBe('flowing');
  expect(backlog.hasRoom(MiB)).toBe(true);
  expect(backlog.hasRoom(MiB + 1)).toBe(false);
});

test('a backlog under the high-water mark flows until it has sat still for the limit', () => {
  const backlog = new SendBacklog(limits);
  backlog.sent(MiB);
  expect(backlog.observe(800_000, 0)).toBe('flowing');
  expect(backlog.observe(800_000, 19_999)).toBe('flowing');
  expect(backlog.observe(800_000, 20_000)).toBe('stalled');
});

test('a backlog that sits still over the high-water mark is throttled, then stalled once the limit passes', () => {
  const backlog = new SendBacklog(limits);
  backlog.sent(3 * MiB);
  expect(backlog.observe(2 * MiB, 1_000)).toBe('throttled');
  // Only a Ping went out since, and its frame header sits in the buffer too.
  backlog.sent(24);
  expect(backlog.observe(2 * MiB + 26, 11_000)).toBe('throttled');
  expect(backlog.stuckForMs(11_000)).toBe(10_000);
  expect(backlog.observe(2 * MiB + 26, 20_999)).toBe('throttled');
  expect(backlog.observe(2 * MiB + 26, 21_000)).toBe('stalled');
});

test('a slow reader that takes any bytes restarts the clock, and one that catches up is forgiven', () => {
  const backlog = new SendBacklog(limits);
  backlog.sent(4 * MiB);
  expect(backlog.observe(4 * MiB, 0)).toBe('throttled');
  expect(backlog.observe(4 * MiB, 19_000)).toBe('throttled');
  // A kilobyte left the buffer: the reader is slow, not stopped.
  expect(backlog.observe(4 * MiB - 1024, 20_000)).toBe('throttled');
  expect(backlog.observe(4 * MiB - 1024, 39_000)).toBe('throttled');
  expect(backlog.observe(4 * MiB - 1024, 40_000)).toBe('stalled');

  const caughtUp = new SendBacklog(limits);
  caughtUp.sent(2 * MiB);
  expect(caughtUp.observe(2 * MiB, 0)).toBe('throttled');
  expect(caughtUp.observe(0, 15_000)).toBe('flowing');
  caughtUp.sent(2 * MiB);
  expect(caughtUp.observe(2 * MiB, 16_000)).toBe('throttled');
  expect(caughtUp.observe(2 * MiB, 35_000)).toBe('throttled');
  expect(caughtUp.observe(2 * MiB, 36_000)).toBe('stalled');
});

test('new frames piling onto a buffer that does not move are not progress', () => {
  const backlog = new SendBacklog(limits);
  backlog.sent(2 * MiB);
  expect(backlog.observe(2 * MiB, 0)).toBe('throttled');
  backlog.sent(500);
  expect(backlog.observe(2 * MiB + 504, 10_000)).toBe('throttled');
  backlog.sent(500);
  expect(backlog.observe(2 * MiB + 1008, 20_000)).toBe('stalled');
});

class FakeSocket implements SyncSocket {
  readonly types: string[] = [];
  buffered = 0;
  closedWith: { code: number | null; reason: string } | null = null;

  /** A socket already backed up queues each new frame, with its header, behind the rest. */
  send(frame: string | Uint8Array): void {
    const text =
      typeof frame === 'string' ? frame : Buffer.from(frame).toString('utf8');
    this.types.push((JSON.parse(text) as { type: string }).type);
    if (this.buffered > 0) this.buffered += Buffer.byteLength(text) + 2;
  }

  bufferedBytes(): number {
    return this.buffered;
  }

  cork(write: () => void): void {
    write();
  }

  close(code: number | null, reason: string): void {
    this.closedWith = { code, reason };
  }
}

/** Services whose one query, whatever its name, returns a kilobyte of text. */
function fakeServices(logs: string[]): SyncServices {
  const hub = new SubscriptionHub<QuerySpec>(
    async (_spec, at) => ({
      ts: at,
      readSet: new ReadSet(),
      result: {
        success: true,
        value: 'x'.repeat(1024),
        logLines: [],
        journal: null,
      },
    }),
    { latestTs: 1n },
  );
  return {
    hub,
    latestTs: async () => 1n,
    catchUp: async () => 1n,
    runMutation: async () => ({
      success: true,
      value: null,
      logLines: [],
      ts: 1n,
    }),
    runAction: async () => ({ success: true, value: null, logLines: [] }),
    authenticate: async () => ({ success: true, identity: { kind: 'none' } }),
    log: (_level, message) => logs.push(message),
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

test('a connection closes a socket that stopped reading with 1013 ClientNotReading, and lets a slow one be', async () => {
  const logs: string[] = [];
  const stopped = new FakeSocket();
  const slow = new FakeSocket();
  const connections = [stopped, slow].map((socket) => {
    const connection = new SyncConnection(socket, fakeServices(logs), {
      clientVersion: '1.48.0',
    });
    connection.receive(
      JSON.stringify({
        type: 'ModifyQuerySet',
        baseVersion: 0,
        newVersion: 1,
        modifications: [
          { type: 'Add', queryId: 0, udfPath: 'values:get', args: [{}] },
        ],
      }),
    );
    return connection;
  });
  await settle();
  expect(stopped.types).toEqual(['Transition']);

  // Both clients fall behind by 2 MiB; one never takes another byte, the
  // other takes a little every few seconds.
  stopped.buffered = 2 * MiB;
  slow.buffered = 2 * MiB;
  const start = Date.now();
  const limit = DEFAULT_BACKLOG_LIMITS.stallLimitMs;
  for (let elapsed = 0; elapsed <= limit + 5_000; elapsed += 1_000) {
    if (elapsed % 5_000 === 0) slow.buffered -= 4096;
    for (const connection of connections) connection.tick(start + elapsed);
    if (elapsed < limit) expect(stopped.closedWith).toBeNull();
  }

  expect(stopped.closedWith).toEqual({
    code: 1013,
    reason: 'ClientNotReading',
  });
  expect(logs).toEqual([
    expect.stringContaining('closing a sync socket that stopped reading'),
  ]);
  expect(slow.closedWith).toBeNull();
  // The Pings that silence earned queued behind the rest: not progress.
  expect(stopped.types).toContain('Ping');
});

test('a backlog that falls under the high-water mark without a drain event is noticed on the next tick', async () => {
  const socket = new FakeSocket();
  const connection = new SyncConnection(socket, fakeServices([]), {
    clientVersion: '1.48.0',
  });
  const modify = (version: number) =>
    connection.receive(
      JSON.stringify({
        type: 'ModifyQuerySet',
        baseVersion: version,
        newVersion: version + 1,
        modifications: [
          {
            type: 'Add',
            queryId: version,
            udfPath: 'values:get',
            args: [{ name: String(version) }],
          },
        ],
      }),
    );
  modify(0);
  await settle();
  socket.buffered = 2 * MiB;
  modify(1);
  await settle();
  expect(socket.types).toEqual(['Transition']);

  // Sending a frame flushed part of the backlog: the socket says nothing.
  socket.buffered = MiB / 2;
  await settle();
  expect(socket.types).toEqual(['Transition']);
  connection.tick(Date.now());
  await settle();
  expect(socket.types).toEqual(['Transition', 'Transition']);
});
