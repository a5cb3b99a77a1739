/**
 * Consistency under concurrency, seen through the official client: many
 * clients transfer money between a few accounts while every client
 * subscribes to the whole state. Each client's transfers run in order, so a
 * state some serial order of the committed transfers produced is exactly
 * one where, for some count n_c per client, the balances are the initial
 * ones plus the effect of each client's first n_c transfers. Every
 * Transition every client receives must be such a state (no torn read),
 * and at the end every acknowledged transfer is applied exactly once.
 *
 * The transfers are drawn from a printed seed; CONSISTENCY_CLIENTS and
 * CONSISTENCY_TRANSFERS make the run larger on demand.
 *
 * Every server that runs test/apps/bank passes it: one serving the
 * directory (test/e2e/sync-consistency.test.ts) and one the official CLI
 * deployed it to (test/e2e/cli-push-apps.test.ts).
 */
import { ConvexClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { describe, expect, test } from 'vitest';

interface State {
  balances: Record<string, number>;
  counts: Record<string, number>;
}
type Transfer = { from: string; to: string; amount: number };

const open = makeFunctionReference<
  'mutation',
  { names: string[]; balance: number },
  null
>('bank:open');
const transfer = makeFunctionReference<
  'mutation',
  Transfer & { client: string },
  null
>('bank:transfer');
const state = makeFunctionReference<'query', Record<string, never>, State>(
  'bank:state',
);

const clients = Number(process.env['CONSISTENCY_CLIENTS'] ?? 6);
const transfersPerClient = Number(process.env['CONSISTENCY_TRANSFERS'] ?? 15);
const seed = Number(process.env['CONSISTENCY_SEED'] ?? Date.now() % 100_000);
const accounts = ['a', 'b', 'c', 'd'];
const initialBalance = 1000;

/** Each client's transfers, drawn from the seed. */
function plan(): Transfer[][] {
  const rng = xoroshiro128plus(seed);
  const draw = (max: number) => uniformInt(rng, 0, max);
  return Array.from({ length: clients }, () =>
    Array.from({ length: transfersPerClient }, () => {
      const from = accounts[draw(accounts.length - 1)] ?? 'a';
      const others = accounts.filter((name) => name !== from);
      return {
        from,
        to: others[draw(others.length - 1)] ?? 'b',
        amount: 1 + draw(99),
      };
    }),
  );
}

/** The balances after each client's first `counts[c]` transfers. */
function expectedBalances(
  transfers: Transfer[][],
  counts: Record<string, number>,
): Record<string, number> {
  const balances = Object.fromEntries(
    accounts.map((name) => [name, initialBalance]),
  );
  transfers.forEach((mine, c) => {
    for (const { from, to, amount } of mine.slice(0, counts[`c${c}`] ?? 0)) {
      balances[from] = (balances[from] ?? 0) - amount;
      balances[to] = (balances[to] ?? 0) + amount;
    }
  });
  return balances;
}

/** A server running test/apps/bank, its accounts not yet opened. */
export interface BankServer {
  url: string;
}

/** The check, against the server `server()` returns when it runs. */
export function describeSerialOrder(
  name: string,
  server: () => BankServer,
): void {
  describe(name, () => {
    test(`every state a client sees is one a serial order produced (seed ${seed})`, async () => {
      const transfers = plan();
      const setup = new ConvexClient(server().url);
      await setup.mutation(open, { names: accounts, balance: initialBalance });

      const connected = transfers.map(() => new ConvexClient(server().url));
      const seen: State[][] = connected.map(() => []);
      const stops = connected.map((client, c) =>
        client.onUpdate(state, {}, (value) => seen[c]?.push(value)),
      );
      try {
        const acknowledged = await Promise.all(
          connected.map(async (client, c) => {
            let done = 0;
            for (const t of transfers[c] ?? []) {
              await client.mutation(transfer, { ...t, client: `c${c}` });
              done += 1;
            }
            return done;
          }),
        );
        const final = await setup.query(state, {});
        expect(final.counts).toEqual(
          Object.fromEntries(acknowledged.map((n, c) => [`c${c}`, n])),
        );
        expect(final.balances).toEqual(
          expectedBalances(transfers, final.counts),
        );

        // Each subscriber converges to the final state, through consistent states only.
        await expect
          .poll(() => seen.map((states) => states.at(-1)), { timeout: 5000 })
          .toEqual(seen.map(() => final));
        for (const states of seen) {
          expect(states.length).toBeGreaterThan(0);
          for (const observed of states)
            expect(observed.balances).toEqual(
              expectedBalances(transfers, observed.counts),
            );
        }
      } finally {
        for (const stop of stops) stop();
        await Promise.all(
          [setup, ...connected].map((client) => client.close()),
        );
      }
    });
  });
}
