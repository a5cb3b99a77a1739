/**
 * The markdown the bench prints and writes to bench/results/bench.md:
 * tables whose first columns (labels) are left-aligned and the rest
 * (figures) right-aligned, and the few ways a figure is written.
 */

export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  labelColumns = 1,
): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const rule = header.map((_, i) => (i < labelColumns ? '---' : '---:'));
  return [line(header), line(rule), ...rows.map(line)].join('\n') + '\n';
}

/** A rate, rounded to a whole number with thousands separators. */
export function fmtRate(perSecond: number): string {
  return Number.isFinite(perSecond)
    ? Math.round(perSecond).toLocaleString('en-US')
    : 'n/a';
}

export function fmtMs(ms: number, digits = 2): string {
  return Number.isFinite(ms) ? `${ms.toFixed(digits)} ms` : 'n/a';
}

/** A ratio ours/baseline, as a multiple. */
export function fmtRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'n/a';
  return ratio >= 10 ? `${ratio.toFixed(0)}×` : `${ratio.toFixed(2)}×`;
}

export function fmtBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'n/a';
  if (Math.abs(bytes) >= 10 * 1024 * 1024)
    return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (Math.abs(bytes) >= 10 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${Math.round(bytes).toLocaleString('en-US')} B`;
}

export function fmtPercent(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(1)}%` : 'n/a';
}
