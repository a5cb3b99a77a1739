/**
 * One part of a bench run (a workload, the components, idle memory) run
 * so that its failure is recorded as its result instead of ending the run:
 * the other parts still measure, and the targets it would have shown are
 * reported as not met.
 */
import { performance } from 'node:perf_hooks';

export type Section<T> =
  | { ok: true; seconds: number; result: T }
  | { ok: false; seconds: number; error: string };

export async function runSection<T>(
  name: string,
  work: () => Promise<T>,
): Promise<Section<T>> {
  process.stderr.write(`${name} …\n`);
  const start = performance.now();
  const seconds = () => Math.round((performance.now() - start) / 100) / 10;
  try {
    const result = await work();
    process.stderr.write(`${name}: ${seconds()} s\n`);
    return { ok: true, seconds: seconds(), result };
  } catch (error) {
    const message =
      error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`${name} failed after ${seconds()} s: ${message}\n`);
    return { ok: false, seconds: seconds(), error: message };
  }
}

export function resultOf<T>(section: Section<T> | undefined): T | undefined {
  return section?.ok ? section.result : undefined;
}
