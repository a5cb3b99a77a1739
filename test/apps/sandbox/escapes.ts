/* eslint-disable @typescript-eslint/unbound-method -- the probes take host methods apart on purpose */
import { actionGeneric, mutationGeneric, queryGeneric } from 'convex/server';
import { v } from 'convex/values';
import { hostReach, runEscapes } from './lib/escapes.ts';

// The escape attempts of lib/escapes.ts, from each kind of function, and
// what each sees of its environment and of the files.

export const fromQuery = queryGeneric({
  args: {},
  handler: async () => await runEscapes(),
});

export const fromMutation = mutationGeneric({
  args: {},
  handler: async () => await runEscapes(),
});

export const fromAction = actionGeneric({
  args: {},
  handler: async () =>
    await runEscapes({
      'a timer handle': async () => {
        const handle = setTimeout(() => undefined, 1);
        clearTimeout(handle);
        return hostReach(handle);
      },
      'fetch rejection': async () => {
        try {
          await fetch('http://127.0.0.1:1/');
          return 'blocked: it answered';
        } catch (error) {
          return hostReach(error);
        }
      },
      'AbortSignal listener event': async () => {
        const controller = new AbortController();
        const event = await new Promise<unknown>((resolve) => {
          controller.signal.addEventListener('abort', resolve);
          controller.abort();
        });
        return hostReach(event);
      },
    }),
});

/** The names and values `process.env` shows. */
export const environment = queryGeneric({
  args: {},
  handler: async () => ({
    keys: Object.keys(process.env),
    home: process.env.HOME ?? null,
    path: process.env.PATH ?? null,
    secret: process.env.CONVERGE_HOST_SECRET ?? null,
    mine: process.env.SANDBOX_VARIABLE ?? null,
  }),
});

/**
 * Arms a trap for the host: a `then` on the realm's promises that keeps any
 * function it is handed which is not the realm's own.
 */
export const armThenTrap = mutationGeneric({
  args: {},
  handler: async () => {
    const state = globalThis as { trapped?: unknown[]; armed?: boolean };
    if (state.armed) return null;
    state.armed = true;
    state.trapped = [];
    const original = Promise.prototype.then;
    Promise.prototype.then = function (this: Promise<unknown>, ok, fail) {
      for (const handler of [ok, fail])
        if (typeof handler === 'function' && !(handler instanceof Function))
          state.trapped?.push(handler);
      return original.call(this, ok, fail) as never;
    } as typeof original;
    return null;
  },
});

/** What the trap caught, tried for the host's `process`. */
export const thenTrapCatch = queryGeneric({
  args: {},
  handler: async () => {
    const caught = (globalThis as { trapped?: unknown[] }).trapped ?? [];
    return caught.length === 0
      ? 'blocked: nothing caught'
      : caught.map((handler) => hostReach(handler)).join(' / ');
  },
});

/** Reads a file by every route the realm might offer. */
export const readFile = actionGeneric({
  args: { path: v.string() },
  handler: async (_ctx, { path }) => {
    const routes: Record<string, () => unknown> = {
      require: () =>
        (globalThis as { require?: (m: string) => unknown }).require?.('fs'),
      'process.getBuiltinModule': () =>
        (
          process as { getBuiltinModule?: (m: string) => unknown }
        ).getBuiltinModule?.('fs'),
      'process.binding': () =>
        (process as { binding?: (m: string) => unknown }).binding?.('fs'),
      'fetch(file:)': () => fetch(`file://${path}`),
    };
    const results: Record<string, string> = {};
    for (const [name, route] of Object.entries(routes)) {
      try {
        const got: unknown = await route();
        if (got === undefined || got === null) {
          results[name] = 'blocked: not there';
          continue;
        }
        const fs = got as { readFileSync?(p: string): { length: number } };
        results[name] = fs.readFileSync
          ? `escaped: ${fs.readFileSync(path).length} bytes`
          : `escaped: ${typeof got}`;
      } catch (error) {
        results[name] =
          `blocked: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    return results;
  },
});
