/**
 * `converge dev`: the server `converge serve` runs, plus a watch on the
 * functions directory. On every change (debounced) it does what
 * `npx convex dev` does on a push: codegen first, so `_generated/` stays
 * current (the watcher ignores those writes), then a reload of the code.
 * Code that fails to build or load is logged and the previous code stays
 * live; code that loads replaces it in place, and every subscribed query
 * reruns on its open socket, so clients see the new results without
 * reconnecting.
 *
 * Reloads run one at a time; changes made during one are gathered into
 * the next.
 */
import { runCodegen } from './codegen.ts';
import type { Config } from './config.ts';
import { watchFunctions } from './functions-watcher.ts';
import type { Logger } from './logger.ts';
import { type StartResult, startServer } from './start-server.ts';

export async function startDevServer(
  config: Config,
  options: { version: string; logger: Logger },
): Promise<StartResult> {
  const { logger } = options;
  await codegen(config.functions, logger);
  const started = await startServer(config, options);
  if (!started.success) return started;
  const { server } = started;

  let closed = false;
  let reloading: Promise<void> = Promise.resolve();
  /** The paths changed since the queued reload was queued; null when none is queued. */
  let queued: string[] | null = null;

  const reload = async (changed: string[]): Promise<void> => {
    const startedAt = performance.now();
    logger.info({ changed }, 'functions changed: reloading');
    if (!(await codegen(config.functions, logger))) {
      logger.error('the previous code stays live');
      return;
    }
    const result = await server.reloadFunctions();
    if (!result.success) {
      logger.error(
        { error: result.error },
        'the functions failed to load: the previous code stays live',
      );
      return;
    }
    logger.info(
      {
        functions: result.functions,
        ms: Math.round(performance.now() - startedAt),
      },
      'functions reloaded',
    );
  };

  const watcher = watchFunctions(config.functions, (paths) => {
    if (queued) {
      queued.push(...paths);
      return;
    }
    queued = [...paths];
    reloading = reloading.then(async () => {
      const changed = queued ?? [];
      queued = null;
      if (closed) return;
      try {
        await reload(changed);
      } catch (error) {
        logger.error(
          { err: error },
          'the reload failed: the previous code stays live',
        );
      }
    });
  });

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    watcher.close();
    await reloading;
    await server.close();
  };
  return {
    success: true,
    server: { ...server, close, [Symbol.asyncDispose]: close },
  };
}

/** Writes `_generated/`; false (and logged) when it cannot. */
async function codegen(dir: string, logger: Logger): Promise<boolean> {
  const generated = await runCodegen(dir);
  if (!generated.success) {
    logger.error({ error: generated.error }, 'codegen failed');
    return false;
  }
  if (generated.written.length > 0 || generated.removed.length > 0)
    logger.info(
      { written: generated.written, removed: generated.removed },
      `codegen updated ${generated.generatedDir}`,
    );
  return true;
}
