/**
 * A part of the bench run as main.ts lists it: an id (W1 … W10,
 * components, idle memory), what it measures, how to run it, how its
 * result reads in markdown, and the targets it states. Running one turns
 * whatever it returns or throws into an outcome the report can hold.
 */
import { type Section, resultOf, runSection } from './section.ts';
import type { Target } from './target.ts';

export interface Workload<T> {
  id: string;
  title: string;
  run(): Promise<T>;
  markdown(result: T): string;
  targets?(result: T | undefined): Target[];
}

export interface WorkloadOutcome {
  id: string;
  title: string;
  section: Section<unknown>;
  markdown: string;
  targets: Target[];
}

export async function runWorkload<T>(
  workload: Workload<T>,
): Promise<WorkloadOutcome> {
  const section = await runSection(`${workload.id} ${workload.title}`, () =>
    workload.run(),
  );
  const result = resultOf(section);
  return {
    id: workload.id,
    title: workload.title,
    section,
    markdown:
      result === undefined
        ? `Failed: ${section.ok ? '' : (section.error.split('\n')[0] ?? '')}\n`
        : workload.markdown(result),
    targets: workload.targets?.(result) ?? [],
  };
}

/** The targets of a workload left out of this run (`--only`), all unmeasured. */
export function skippedTargets<T>(workload: Workload<T>): Target[] {
  return workload.targets?.(undefined) ?? [];
}
