import { describe, expect, test } from 'vitest';
import type { ExecutionRecord } from './execution-listeners.ts';
import { CAPACITY, FunctionLog } from './function-log.ts';

function record(path: string, endedAtMs = 1_700_000_000_000): ExecutionRecord {
  return {
    kind: 'mutation',
    path,
    durationMs: 2,
    success: true,
    occRetries: 0,
    logLines: [`[LOG] '${path}'`],
    errorMessage: null,
    endedAtMs,
  };
}

const paths = (read: { entries: { record: ExecutionRecord }[] }) =>
  read.entries.map((entry) => entry.record.path);

describe('FunctionLog', () => {
  test('a read after a cursor gets the runs since, and the cursor to read after next', () => {
    const log = new FunctionLog();
    // Nothing ran: no entries, and the cursor stays where it was.
    expect(log.after(0)).toEqual({ entries: [], newCursor: 0 });

    log.append(record('a:one'));
    log.append(record('a:two'));
    const first = log.after(0);
    expect(paths(first)).toEqual(['a:one', 'a:two']);

    // Runs that end in the same millisecond still get distinct, increasing cursors.
    const [one, two] = first.entries;
    expect(one?.cursorMs).toBe(1_700_000_000_000);
    expect(two?.cursorMs).toBeGreaterThan(one?.cursorMs ?? Infinity);
    expect(first.newCursor).toBe(two?.cursorMs);

    log.append(record('a:three'));
    expect(paths(log.after(first.newCursor))).toEqual(['a:three']);
    expect(log.after(log.after(0).newCursor).entries).toEqual([]);
  });

  test('it keeps the last CAPACITY runs and forgets older ones', () => {
    const log = new FunctionLog();
    for (let i = 0; i <= CAPACITY; i++) log.append(record(`n:${i}`));
    const all = log.after(0);
    expect(all.entries).toHaveLength(CAPACITY);
    expect(all.entries[0]?.record.path).toBe('n:1');
    expect(all.entries.at(-1)?.sequence).toBe(CAPACITY + 1);
  });

  test('a wait with nothing new returns at the next run', async () => {
    const log = new FunctionLog();
    log.append(record('a:before'));
    const cursor = log.after(0).newCursor;
    const waiting = log.wait(cursor, { timeoutMs: 60_000 });
    expect(log.waiting).toBe(1);
    log.append(record('a:after'));
    expect(paths(await waiting)).toEqual(['a:after']);
    expect(log.waiting).toBe(0);
  });

  test('a wait gives up empty, with the same cursor, on its timeout or its signal', async () => {
    const log = new FunctionLog();
    expect(await log.wait(5, { timeoutMs: 1 })).toEqual({
      entries: [],
      newCursor: 5,
    });

    const controller = new AbortController();
    const waiting = log.wait(5, {
      timeoutMs: 60_000,
      signal: controller.signal,
    });
    controller.abort();
    expect(await waiting).toEqual({ entries: [], newCursor: 5 });
    expect(log.waiting).toBe(0);
  });

  test('a tail with no place yet (cursor 0) is answered at once, and what runs after is above the cursor it gets', async () => {
    const log = new FunctionLog();
    const start = await log.wait(0, { timeoutMs: 60_000 });
    expect(start.entries).toEqual([]);
    expect(start.newCursor).toBeGreaterThan(0);

    // A run that ends in the same millisecond still lands after that cursor.
    log.append(record('a:next', start.newCursor));
    expect(
      paths(await log.wait(start.newCursor, { timeoutMs: 60_000 })),
    ).toEqual(['a:next']);
    // Once the log holds runs, cursor 0 gets them all, as history.
    expect(paths(await log.wait(0, { timeoutMs: 60_000 }))).toEqual(['a:next']);
  });
});
