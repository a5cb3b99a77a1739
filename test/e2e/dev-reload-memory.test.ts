/**
 * `converge dev` lets each version of the code go once the next is live: a
 * developer saves the sample app over and over while a client stays
 * subscribed and HTTP actions are called, and after a full garbage
 * collection the process holds one user realm, not one per save, and
 * nothing of the code it compiled for the old ones.
 *
 * Two readings of this process's V8 heap, not of its resident set (which
 * the allocator makes noisy; bench/idle-memory.ts measures that):
 * - the number of native contexts, one per `node:vm` realm alive;
 * - the large-object space, where each bundle's source lands (every one is
 *   over V8's 128 KiB limit for regular objects here, by its padding): V8's
 *   compilation cache kept the source of every script it compiled, so a
 *   realm loaded with `vm.Script` left its bundle behind for as long as the
 *   process lived, however dead the realm.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  getHeapSpaceStatistics,
  getHeapStatistics,
  setFlagsFromString,
} from 'node:v8';
import { runInNewContext } from 'node:vm';
import { makeFunctionReference } from 'convex/server';
import { expect, test } from 'vitest';
import { createLogger } from '../../src/cli/logger.ts';
import { startDevServer } from '../../src/cli/start-dev-server.ts';
import { convexClients } from '../helpers/convex-clients.ts';
import { TEST_ADMIN_KEY } from '../helpers/converge-server.ts';
import { watchQuery } from '../helpers/query-watch.ts';

const generation = makeFunctionReference<
  'query',
  Record<string, never>,
  number
>('memoryProbe:generation');

/** Saves the test makes after the first version: each a new bundle, a new realm. */
const SAVES = 8;
/** Each version's padding: its bundle is this much larger than the sample app's own. */
const PADDING_CHARS = 256 * 1024;

/** A version of the probe module: its query answers `n`, and its padding makes its bundle unmistakable. */
function probeModule(n: number): string {
  return [
    "import { query } from './_generated/server.js';",
    `const padding = ${JSON.stringify(String(n % 10).repeat(PADDING_CHARS))};`,
    `export const generation = query({ args: {}, handler: async () => padding.length > 0 ? ${n} : -1 });`,
    '',
  ].join('\n');
}

/** V8's collector, which this test process was not started with the flag to expose. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

test('reloads under converge dev leave one realm and none of the old code', async () => {
  const gc = collector();
  const root = mkdtempSync(join(tmpdir(), 'converge-dev-memory-'));
  const functions = join(root, 'functions');
  cpSync(new URL('../../functions/', import.meta.url).pathname, functions, {
    recursive: true,
  });
  const save = (n: number) =>
    writeFileSync(join(functions, 'memoryProbe.ts'), probeModule(n));
  save(0);
  let reloads = 0;
  const logger = createLogger({
    destination: {
      write: (line: string) => {
        if (line.includes('"msg":"functions reloaded"')) reloads += 1;
      },
    },
  });
  try {
    const started = await startDevServer(
      {
        functions,
        port: 0,
        sitePort: 0,
        host: '127.0.0.1',
        data: join(root, 'data'),
        databaseUrl: undefined,
        adminKey: TEST_ADMIN_KEY,
        jwtSecret: undefined,
        envFile: undefined,
        drainMs: 0,
        cloudOrigin: undefined,
        siteOrigin: undefined,
      },
      { version: 'test', logger },
    );
    if (!started.success) throw new Error(started.error);
    await using server = started.server;
    await using clients = convexClients(server.url);
    using probe = watchQuery(clients.open(), generation, {});

    // Each version answers the subscribed client and an HTTP action (the
    // sample app's router running a query) before the next is saved.
    const exercise = async (n: number) => {
      expect(await probe.next((v) => v === n)).toBe(n);
      const response = await fetch(
        `${server.siteUrl}/rooms/nowhere/messages.json`,
      );
      expect(response.status).toBe(404);
    };
    const heap = async () => {
      // Twice, a turn apart: what the first frees may hold weak references
      // or finalizers the second clears.
      gc();
      await sleep(0);
      gc();
      return {
        contexts: getHeapStatistics().number_of_native_contexts,
        largeObjects:
          getHeapSpaceStatistics().find(
            (space) => space.space_name === 'large_object_space',
          )?.space_used_size ?? NaN,
      };
    };

    await exercise(0);
    const first = await heap();

    // The developer saves again and again; every version goes live in turn.
    for (let n = 1; n <= SAVES; n++) {
      const before = reloads;
      save(n);
      for (let waited = 0; reloads === before; waited += 10) {
        if (waited > 10_000) throw new Error(`save ${n} was never reloaded`);
        await sleep(10);
      }
      await exercise(n);
    }
    const last = await heap();

    // One realm then, one realm now: every old one was let go.
    expect(last.contexts).toBe(first.contexts);
    // And the old versions' sources went with them: keeping even two of the
    // eight would add twice the padding.
    expect(last.largeObjects - first.largeObjects).toBeLessThan(
      2 * PADDING_CHARS,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
