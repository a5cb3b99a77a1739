/**
 * `npm run test:reliability [-- --full]`: the reliability suite on its own,
 * at CI size or, with `--full`, at full size; then a table of the figures
 * every test reported (see figures.ts). Extra arguments go to vitest, e.g. a
 * file filter: `npm run test:reliability -- --full crash`.
 *
 * Exits with vitest's status.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatFigure } from './figures.ts';

const args = process.argv.slice(2);
const full = args.includes('--full');
const filters = args.filter((arg) => arg !== '--full');
const dir = mkdtempSync(join(tmpdir(), 'converge-reliability-'));
const report = join(dir, 'figures.jsonl');

const vitest = spawnSync(
  'npx',
  ['vitest', 'run', ...(filters.length > 0 ? filters : ['test/reliability'])],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      CONVERGE_RELIABILITY: full ? 'full' : 'ci',
      CONVERGE_RELIABILITY_REPORT: report,
    },
  },
);

if (existsSync(report)) {
  console.log(`\nReliability figures (${full ? 'full' : 'ci'} size)\n`);
  console.log('| test | figures |\n| --- | --- |');
  for (const line of readFileSync(report, 'utf8').split('\n')) {
    if (line === '') continue;
    const { test, figures } = JSON.parse(line) as {
      test: string;
      figures: Record<string, number | string>;
    };
    const shown = Object.entries(figures)
      .map(([name, value]) => `${name} ${formatFigure(value)}`)
      .join(', ');
    console.log(`| ${test} | ${shown} |`);
  }
}
rmSync(dir, { recursive: true, force: true });
process.exit(vitest.status ?? 1);
