/**
 * Idle memory (issue 8): the idle resident set of a server with the sample
 * app, and its growth across `dev` reloads. The measurement, its markdown
 * and its targets are bench/idle-memory.ts (`benchIdleMemory`,
 * `idleMemoryMarkdown`, `idleMemoryTargets`), written apart from this
 * harness; when that module is absent, this part reports that it did not
 * run and its two targets as unmeasured.
 *
 * IDLE MEMORY HOOK: the module is loaded by path, so that the run does not
 * depend on it existing. Once bench/idle-memory.ts is committed, import it
 * statically here instead.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Target, target } from '../target.ts';
import type { Workload } from '../workload.ts';

const MODULE = new URL('../idle-memory.ts', import.meta.url);

interface IdleMemoryModule {
  benchIdleMemory?: (options: { full: boolean }) => Promise<unknown>;
  idleMemoryMarkdown?: (result: unknown) => string;
  idleMemoryTargets?: (result: unknown) => Target[];
}

export function idleServerWorkload(full: boolean): Workload<unknown> {
  let loaded: IdleMemoryModule = {};
  return {
    id: 'idle',
    title: 'idle server memory and growth across dev reloads',
    run: async () => {
      if (!existsSync(fileURLToPath(MODULE)))
        throw new Error('bench/idle-memory.ts does not exist yet');
      loaded = (await import(MODULE.href)) as IdleMemoryModule;
      if (typeof loaded.benchIdleMemory !== 'function')
        throw new Error('bench/idle-memory.ts exports no benchIdleMemory');
      return loaded.benchIdleMemory({ full });
    },
    markdown: (result) =>
      loaded.idleMemoryMarkdown?.(result) ??
      `\`\`\`json\n${JSON.stringify(result, null, 2)}\n\`\`\`\n`,
    targets: (result) =>
      loaded.idleMemoryTargets?.(result) ?? [
        target(
          {
            id: 'memory.idle',
            description: 'resident set of an idle server with the sample app',
            target: 100_000_000,
            comparison: '<',
            unit: 'bytes',
          },
          undefined,
        ),
        target(
          {
            id: 'memory.reloads',
            description: 'resident-set growth per `converge dev` reload',
            target: 64 * 1024,
            comparison: '<',
            unit: 'bytes',
          },
          undefined,
        ),
      ],
  };
}
