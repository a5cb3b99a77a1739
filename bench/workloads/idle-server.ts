/**
 * Idle memory (issue 8) as a part of the bench run: the idle resident set
 * of a server with the sample app, and its growth across `converge dev`
 * reloads. The measurement, its markdown and its targets are
 * bench/idle-memory.ts; this module only lists them for bench/main.ts.
 */
import {
  type IdleMemoryResult,
  benchIdleMemory,
  idleMemoryMarkdown,
  idleMemoryTargets,
} from '../idle-memory.ts';
import type { Workload } from '../workload.ts';

export function idleServerWorkload(full: boolean): Workload<IdleMemoryResult> {
  return {
    id: 'idle',
    title: 'idle server memory and growth across dev reloads',
    run: () => benchIdleMemory({ full }),
    markdown: idleMemoryMarkdown,
    targets: idleMemoryTargets,
  };
}
