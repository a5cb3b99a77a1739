/**
 * Writers of the ledger app (test/apps/ledger) and the verdict on what they
 * left: each writer appends `writer#seq` rows through its own official
 * client and records which appends were acknowledged and which rejected;
 * about one in eight is doomed to throw after writing its row, so that a
 * real rejection exists to check. The crash and network-fault tests share
 * this; they differ in what they do to the server meanwhile.
 */
import type { ConvexClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import type { Draw } from '../differential/draw.ts';

export const append = makeFunctionReference<
  'mutation',
  { writer: string; seq: number; fail?: boolean },
  string
>('entries:append');
export const seqsOf = makeFunctionReference<
  'query',
  { writer: string },
  number[]
>('entries:seqs');
export const allEntries = makeFunctionReference<
  'query',
  Record<string, never>,
  string[]
>('entries:all');
export const entryCount = makeFunctionReference<
  'query',
  Record<string, never>,
  number
>('entries:count');

/** About one append in this many is doomed to throw after writing its row. */
const DOOMED_ONE_IN = 8;

export interface LedgerWriter {
  name: string;
  client: ConvexClient;
  /** This writer's own draws, so a seed names its appends however writers interleave. */
  draw: Draw;
  acknowledged: Set<number>;
  rejected: Set<number>;
  doomed: Set<number>;
}

export function ledgerWriter(
  name: string,
  client: ConvexClient,
  draw: Draw,
): LedgerWriter {
  const none = () => new Set<number>();
  return {
    name,
    client,
    draw,
    acknowledged: none(),
    rejected: none(),
    doomed: none(),
  };
}

/** Sends append `seq`, doomed or not as the writer's draw says, and records how it ended; never rejects. */
export function sendAppend(writer: LedgerWriter, seq: number): Promise<void> {
  const fail = writer.draw.int(1, DOOMED_ONE_IN) === 1;
  if (fail) writer.doomed.add(seq);
  return writer.client
    .mutation(append, { writer: writer.name, seq, fail })
    .then(
      () => {
        writer.acknowledged.add(seq);
      },
      () => {
        writer.rejected.add(seq);
      },
    );
}

/**
 * What is wrong with `rows`, the ledger's true final state, given what the
 * writers were told: an acknowledged append not present exactly once, a
 * rejected one present, a row nobody was told of, a doomed append
 * acknowledged or a sound one rejected. `alsoAcknowledged` names rows
 * appended outside the writers.
 */
export function ledgerAnomalies(
  writers: readonly LedgerWriter[],
  rows: readonly string[],
  alsoAcknowledged: readonly string[] = [],
): string[] {
  const anomalies: string[] = [];
  const times = new Map<string, number>();
  for (const row of rows) times.set(row, (times.get(row) ?? 0) + 1);
  const acknowledged = new Set(alsoAcknowledged);
  const rejected = new Set<string>();
  for (const writer of writers) {
    for (const seq of writer.acknowledged) {
      acknowledged.add(`${writer.name}#${seq}`);
      if (writer.doomed.has(seq))
        anomalies.push(`${writer.name}#${seq} was doomed yet acknowledged`);
    }
    for (const seq of writer.rejected) {
      rejected.add(`${writer.name}#${seq}`);
      if (!writer.doomed.has(seq))
        anomalies.push(`${writer.name}#${seq} was rejected though not doomed`);
    }
  }
  for (const row of acknowledged) {
    const found = times.get(row) ?? 0;
    if (found !== 1)
      anomalies.push(`acknowledged ${row} is present ${found} times`);
  }
  for (const [row, found] of times) {
    if (rejected.has(row)) anomalies.push(`rejected ${row} is present`);
    else if (!acknowledged.has(row))
      anomalies.push(`${row} (${found} times) was never acknowledged`);
  }
  return anomalies;
}

/** True when `value` lists exactly `expected`, in order. */
export function sameSeqs(
  value: readonly number[] | undefined,
  expected: readonly number[],
): boolean {
  return (
    value !== undefined &&
    value.length === expected.length &&
    value.every((seq, i) => seq === expected[i])
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
