/**
 * The result of a bench run, written to bench/results/bench.json (every
 * figure, baseline and ratio, and the targets with whether each was met)
 * and bench/results/bench.md (the same as tables), which main.ts also
 * prints. bench/results/ is not committed: figures belong to a machine and
 * a moment, and the README quotes the ones worth keeping.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Environment } from './environment.ts';
import { fmtBytes, markdownTable } from './markdown-table.ts';
import type { Target } from './target.ts';
import type { WorkloadOutcome } from './workload.ts';

export interface BenchReport {
  environment: Environment;
  seconds: number;
  sections: Record<
    string,
    { title: string; seconds: number } & (
      { ok: true; result: unknown } | { ok: false; error: string }
    )
  >;
  targets: Target[];
}

export function benchReport(
  env: Environment,
  seconds: number,
  outcomes: readonly WorkloadOutcome[],
  targets: readonly Target[],
): BenchReport {
  return {
    environment: env,
    seconds,
    sections: Object.fromEntries(
      outcomes.map((o) => [o.id, { title: o.title, ...o.section }]),
    ),
    targets: [...targets],
  };
}

export function reportMarkdown(
  report: BenchReport,
  outcomes: readonly WorkloadOutcome[],
): string {
  const env = report.environment;
  const met = report.targets.filter((t) => t.met).length;
  return [
    `# Converge bench (${env.mode} mode)\n`,
    `${env.date}, commit ${env.commit}${env.workingTreeChanged ? ' (with uncommitted changes)' : ''}; ` +
      `Node ${env.node}, ${env.cores} × ${env.cpu}, ${fmtBytes(env.memoryBytes)}, ` +
      `load average ${env.loadAverageAtStart.toFixed(2)} at the start; uWebSockets.js ${env.uws}; ` +
      `${Math.round(report.seconds)} s in all.\n`,
    `## Targets: ${met} of ${report.targets.length} met\n`,
    targetsTable(report.targets),
    ...outcomes.map((o) => `## ${o.id}: ${o.title}\n\n${o.markdown}`),
  ].join('\n');
}

function targetsTable(targets: readonly Target[]): string {
  return markdownTable(
    ['target', 'what', 'measured', 'needed', 'met'],
    targets.map((t) => [
      t.id,
      t.description,
      t.measured === null ? 'not measured' : `${figure(t.measured)} ${t.unit}`,
      `${t.comparison} ${figure(t.target)} ${t.unit}`,
      t.met ? 'yes' : '**no**',
    ]),
    2,
  );
}

function figure(value: number): string {
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return Number(value.toPrecision(3)).toString();
}

export function writeReport(report: BenchReport, markdown: string): string {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}bench.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${dir}bench.md`, markdown);
  return dir;
}
