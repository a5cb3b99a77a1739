/**
 * How big the reliability suite runs: `ci` inside `npm test` (the whole
 * suite well under 10 minutes on a 2-core machine), `full` under
 * `npm run test:reliability -- --full`, which sets CONVERGE_RELIABILITY=full.
 * Each test picks its sizes with `bySize`, so both sizes run the same code.
 */
export type ReliabilitySize = 'ci' | 'full';

export const reliabilitySize: ReliabilitySize =
  process.env['CONVERGE_RELIABILITY'] === 'full' ? 'full' : 'ci';

export function bySize<T>(sizes: Readonly<Record<ReliabilitySize, T>>): T {
  return sizes[reliabilitySize];
}
