/**
 * Resident-set readings of a process at rest, from Linux's /proc: the
 * settled VmRSS of a server left alone, and the resident sets of its child
 * processes (a server's helpers, such as the bundler's service, are memory
 * it costs too, though not in its own VmRSS).
 *
 * Not here: one reading of one process (process-usage.ts).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { median } from './measure.ts';
import { processRssBytes } from './process-usage.ts';

/** Readings of a settled process: this many, this far apart, within SETTLED_SPREAD_BYTES. */
const SETTLE_READINGS = 8;
const SETTLE_INTERVAL_MS = 250;
/** A spread this small is a process at rest: a timer's or a log write's pages, no more. */
const SETTLED_SPREAD_BYTES = 512 * 1024;
/** A process not at rest by then is read as it is. */
const SETTLE_LIMIT_MS = 20_000;

/**
 * The resident set of `pid` at rest: readings every 250 ms until the last
 * eight lie within 512 KiB of each other, their median; after 20 s, the
 * median of the last eight whatever their spread.
 */
export async function settledRssBytes(pid: number): Promise<number> {
  const readings: number[] = [];
  const deadline = performance.now() + SETTLE_LIMIT_MS;
  for (;;) {
    readings.push(processRssBytes(pid));
    const last = readings.slice(-SETTLE_READINGS);
    if (
      last.length === SETTLE_READINGS &&
      (Math.max(...last) - Math.min(...last) <= SETTLED_SPREAD_BYTES ||
        performance.now() > deadline)
    )
      return median(last);
    await sleep(SETTLE_INTERVAL_MS);
  }
}

/** The resident sets of `pid`'s children, added up; 0 when it has none. */
export function childrenRssBytes(pid: number): number {
  let sum = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    let children: string;
    try {
      children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
    } catch {
      continue; // The thread ended between the listing and the read.
    }
    for (const child of children.split(' ').filter(Boolean)) {
      try {
        sum += processRssBytes(Number(child));
      } catch {
        // The child exited between the listing and the read.
      }
    }
  }
  return sum;
}
