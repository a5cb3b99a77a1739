/**
 * A target of issue 8 and whether this run met it. Each workload module
 * states its own targets from its result; a workload that failed or did
 * not run states them unmeasured, and an unmeasured target is not met.
 */

export interface Target {
  id: string;
  description: string;
  /** What this run measured, in `unit`; null when it could not be measured. */
  measured: number | null;
  target: number;
  comparison: '>=' | '<=' | '<';
  unit: string;
  met: boolean;
}

export function target(
  spec: Omit<Target, 'measured' | 'met'>,
  measured: number | undefined,
): Target {
  const value =
    measured === undefined || !Number.isFinite(measured) ? null : measured;
  const met =
    value !== null &&
    (spec.comparison === '>='
      ? value >= spec.target
      : spec.comparison === '<='
        ? value <= spec.target
        : value < spec.target);
  return { ...spec, measured: value, met };
}
