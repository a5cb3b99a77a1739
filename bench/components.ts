/**
 * The component benchmarks, each layer against its own floor in this
 * process: protocol decode vs `JSON.parse`, store operations vs the raw
 * driver (SQLite and PostgreSQL), function calls vs convex-test. They say
 * which layer a workload's time goes to; the workloads say what a user
 * sees.
 */
import {
  type DecodeBenchResult,
  benchProtocolDecode,
} from './protocol-decode.ts';
import { fmtRate, fmtRatio, markdownTable } from './markdown-table.ts';
import { type RuntimeBenchRow, benchRuntime } from './runtime-calls.ts';
import { type StoreBenchRow, benchStore } from './store-ops.ts';

export interface ComponentTiming {
  durationMs: number;
  rounds: number;
}

/** Quick mode times each side for 200 ms per round, three rounds; full mode 1 s, five rounds. */
export const componentTimingByMode: Record<'quick' | 'full', ComponentTiming> =
  {
    quick: { durationMs: 200, rounds: 3 },
    full: { durationMs: 1000, rounds: 5 },
  };

export interface ComponentsResult {
  timing: ComponentTiming;
  decode: DecodeBenchResult;
  store: StoreBenchRow[] | { error: string };
  runtime: RuntimeBenchRow[];
}

export async function benchComponents(
  timing: ComponentTiming,
): Promise<ComponentsResult> {
  const decode = benchProtocolDecode(timing);
  // PostgreSQL may be absent where the bench runs; the other rows still count.
  const store = await benchStore(timing).catch((error: unknown) => ({
    error: error instanceof Error ? error.message : String(error),
  }));
  const runtime = await benchRuntime(timing);
  return { timing, decode, store, runtime };
}

export function componentsMarkdown(result: ComponentsResult): string {
  const decode = markdownTable(
    [
      'frames',
      'bytes/frame',
      'JSON.parse frames/s',
      'decode frames/s',
      'ratio',
    ],
    result.decode.rows.map((row) => [
      row.label,
      String(row.bytesPerFrame),
      fmtRate(row.jsonParseFramesPerSecond),
      fmtRate(row.decodeFramesPerSecond),
      fmtRatio(row.ratio),
    ]),
  );
  const store = Array.isArray(result.store)
    ? markdownTable(
        ['workload', 'engine', 'store', 'raw driver', 'ratio'],
        result.store.map((row) => [
          row.workload,
          row.engine,
          `${fmtRate(row.store)} ${row.unit}`,
          `${fmtRate(row.raw)} ${row.unit}`,
          fmtRatio(row.ratio),
        ]),
        2,
      )
    : `Not measured: ${result.store.error}\n`;
  const runtime = markdownTable(
    ['workload', 'Converge (SQLite) calls/s', 'convex-test calls/s', 'ratio'],
    result.runtime.map((row) => [
      row.workload,
      fmtRate(row.converge),
      fmtRate(row.convexTest),
      fmtRatio(row.ratio),
    ]),
  );
  return [
    '### Protocol decode vs JSON.parse\n',
    decode,
    '### Store operations vs the raw driver\n',
    store,
    '### Function calls vs convex-test (in process)\n',
    runtime,
  ].join('\n');
}
