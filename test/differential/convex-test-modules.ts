/**
 * The differential app as convex-test loads it: each module's path to a
 * loader. convex-test finds the app's root by its `_generated` folder and
 * loads a function's module by path from there. Written out rather than
 * globbed so that the benchmark, which runs outside vitest, can use it too.
 */
export const convexTestModules: Record<string, () => Promise<unknown>> = {
  './_generated/api.ts': () => import('../apps/differential/_generated/api.ts'),
  './_generated/server.ts': () =>
    import('../apps/differential/_generated/server.ts'),
  './bench.ts': () => import('../apps/differential/bench.ts'),
  './plan.ts': () => import('../apps/differential/plan.ts'),
  './reads.ts': () => import('../apps/differential/reads.ts'),
  './writes.ts': () => import('../apps/differential/writes.ts'),
};
