/**
 * `npm run bench [-- --full]`: runs the benchmarks (protocol decode, store
 * operations, function calls against convex-test, the sync worker and the
 * HTTP API against raw uWebSockets.js), prints their markdown tables and writes
 * bench/results/<name>.{json,md}.
 *
 * Quick mode times each side for 300 ms per round: long enough for thousands
 * of frames even at the slowest type, and the whole run (6 types × 5 rounds ×
 * 2 sides, plus warm-up) stays near 20 s. Full mode uses 2000 ms per round,
 * about 2 min 15 s, for numbers worth comparing across commits. Five rounds
 * give a median that one noisy round cannot move.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { argv, version } from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type DecodeBenchResult,
  benchProtocolDecode,
} from './protocol-decode.ts';
import { type RuntimeBenchRow, benchRuntime } from './runtime-calls.ts';
import { type StoreBenchRow, benchStore } from './store-ops.ts';
import { type SyncBenchResult, benchSync } from './sync-latency.ts';
import { type HttpBenchRow, benchHttpApi } from './http-api.ts';

type Mode = 'quick' | 'full';

const durationMsByMode: Record<Mode, number> = { quick: 300, full: 2000 };
const rounds = 5;

function parseMode(args: string[]): Mode {
  const { values } = parseArgs({
    args,
    options: { full: { type: 'boolean', default: false } },
  });
  return values.full ? 'full' : 'quick';
}

function toMarkdown(result: DecodeBenchResult): string {
  const header = [
    '| frames | bytes/frame | JSON.parse frames/s | decode frames/s | ratio |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  const lines = result.rows.map(
    (row) =>
      `| ${row.label} | ${row.bytesPerFrame} | ${perSecond(row.jsonParseFramesPerSecond)} | ${perSecond(row.decodeFramesPerSecond)} | ${row.ratio.toFixed(2)} |`,
  );
  return [...header, ...lines].join('\n') + '\n';
}

function perSecond(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function writeResults(
  name: string,
  files: { json: unknown; markdown: string },
): void {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    `${dir}${name}.json`,
    `${JSON.stringify(files.json, null, 2)}\n`,
  );
  writeFileSync(`${dir}${name}.md`, files.markdown);
}

function storeMarkdown(rows: StoreBenchRow[]): string {
  const lines = rows.map(
    (row) =>
      `| ${row.workload} | ${row.engine} | ${perSecond(row.store)} ${row.unit} | ${perSecond(row.raw)} ${row.unit} | ${row.ratio.toFixed(2)} |`,
  );
  return (
    [
      '| workload | engine | store | raw driver | ratio |',
      '| --- | --- | ---: | ---: | ---: |',
      ...lines,
    ].join('\n') + '\n'
  );
}

function runtimeMarkdown(rows: RuntimeBenchRow[]): string {
  const lines = rows.map(
    (row) =>
      `| ${row.workload} | ${perSecond(row.converge)} calls/s | ${perSecond(row.convexTest)} calls/s | ${row.ratio.toFixed(2)} |`,
  );
  return (
    [
      '| workload | Converge (SQLite) | convex-test | ratio |',
      '| --- | ---: | ---: | ---: |',
      ...lines,
    ].join('\n') + '\n'
  );
}

function syncMarkdown(result: SyncBenchResult): string {
  const { latency, fanOut, memory } = result;
  const ms = (value: number) => `${value.toFixed(2)} ms`;
  const ratio = (ours: number, baseline: number) =>
    (ours / baseline).toFixed(1);
  return (
    [
      '| workload | Converge | raw uWebSockets.js | ratio |',
      '| --- | ---: | ---: | ---: |',
      `| mutation → subscriber, p50 (${latency.samples} samples) | ${ms(latency.converge.p50Ms)} | ${ms(latency.relay.p50Ms)} relay | ${ratio(latency.converge.p50Ms, latency.relay.p50Ms)}× |`,
      `| mutation → subscriber, p99 | ${ms(latency.converge.p99Ms)} | ${ms(latency.relay.p99Ms)} relay | ${ratio(latency.converge.p99Ms, latency.relay.p99Ms)}× |`,
      `| one write to ${fanOut.subscribers} subscribers, p50 (${fanOut.writes} writes) | ${ms(fanOut.converge.p50Ms)} | ${ms(fanOut.publish.p50Ms)} publish | ${ratio(fanOut.converge.p50Ms, fanOut.publish.p50Ms)}× |`,
      `| one write to ${fanOut.subscribers} subscribers, p99 | ${ms(fanOut.converge.p99Ms)} | ${ms(fanOut.publish.p99Ms)} publish | ${ratio(fanOut.converge.p99Ms, fanOut.publish.p99Ms)}× |`,
      `| heap per subscription (${memory.subscriptions.toLocaleString('en-US')} held) | ${memory.bytesPerSubscription.toLocaleString('en-US')} bytes | | |`,
    ].join('\n') + '\n'
  );
}

function httpMarkdown(rows: HttpBenchRow[]): string {
  const lines = rows.map(
    (row) =>
      `| ${row.workload} | ${perSecond(row.converge)} calls/s | ${perSecond(row.raw)} calls/s | ${row.ratio.toFixed(2)} |`,
  );
  return (
    [
      '| workload (ConvexHttpClient, one at a time) | Converge | raw uWebSockets.js route | ratio |',
      '| --- | ---: | ---: | ---: |',
      ...lines,
    ].join('\n') + '\n'
  );
}

const mode = parseMode(argv.slice(2));
const durationMs = durationMsByMode[mode];
const cpuModel = cpus()[0]?.model ?? 'unknown';
const environment = {
  node: version,
  date: new Date().toISOString(),
  cpu: cpuModel,
  mode,
};
console.error(`${mode} mode, ${durationMs} ms × ${rounds} rounds per side`);

const decode = benchProtocolDecode({ durationMs, rounds });
const decodeMarkdown = `## Protocol decode vs JSON.parse (node ${version}, ${cpuModel}, ${mode})\n\n${toMarkdown(decode)}`;
console.log(decodeMarkdown);
writeResults('protocol-decode', {
  json: { ...environment, ...decode },
  markdown: decodeMarkdown,
});

const store = await benchStore({ durationMs, rounds });
const storeText = `## Store operations vs the raw driver (node ${version}, ${cpuModel}, ${mode})\n\n${storeMarkdown(store)}`;
console.log(storeText);
writeResults('store-ops', {
  json: { ...environment, durationMs, rounds, rows: store },
  markdown: storeText,
});

const runtime = await benchRuntime({ durationMs, rounds });
const runtimeText = `## Function calls vs convex-test (node ${version}, ${cpuModel}, ${mode})\n\n${runtimeMarkdown(runtime)}`;
console.log(runtimeText);
writeResults('runtime-calls', {
  json: { ...environment, durationMs, rounds, rows: runtime },
  markdown: runtimeText,
});

const sync = await benchSync({ full: mode === 'full' });
const syncText = `## Sync worker with the official client vs raw uWebSockets.js (node ${version}, ${cpuModel}, ${mode})\n\n${syncMarkdown(sync)}`;
console.log(syncText);
writeResults('sync-latency', {
  json: { ...environment, ...sync },
  markdown: syncText,
});

const http = await benchHttpApi({ durationMs, rounds });
const httpText = `## HTTP API vs a raw uWebSockets.js route (node ${version}, ${cpuModel}, ${mode})\n\n${httpMarkdown(http)}`;
console.log(httpText);
writeResults('http-api', {
  json: { ...environment, durationMs, rounds, rows: http },
  markdown: httpText,
});
