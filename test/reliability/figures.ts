/**
 * The figures a reliability test measured, as the README's reliability
 * section quotes them: printed as one line (`reliability figures: …`) and,
 * when CONVERGE_RELIABILITY_REPORT names a file (`npm run test:reliability`
 * sets it), appended to it as one JSON line for the run's summary table.
 */
import { appendFileSync } from 'node:fs';
import { reliabilitySize } from './reliability-size.ts';

export type Figures = Readonly<Record<string, number | string>>;

export function reportFigures(test: string, figures: Figures): void {
  const line = Object.entries(figures)
    .map(([name, value]) => `${name}=${formatFigure(value)}`)
    .join(', ');
  console.log(`reliability figures: ${test} (${reliabilitySize}): ${line}`);
  const report = process.env['CONVERGE_RELIABILITY_REPORT'];
  if (report !== undefined && report !== '')
    appendFileSync(
      report,
      `${JSON.stringify({ test, size: reliabilitySize, figures })}\n`,
    );
}

/** A figure as the reports print it: numbers grouped, at most two decimals; text on one line. */
export function formatFigure(value: number | string): string {
  if (typeof value === 'string') return value.replace(/\s+/g, ' ');
  return Number.isInteger(value)
    ? value.toLocaleString('en-US')
    : value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}
