/**
 * The serializability workload, whatever the store: official
 * `ConvexClient`s, each running its own seeded sequence of mutations and
 * one-shot queries over a few list-append registers (test/apps/registers),
 * one request at a time, while some of them also keep a subscription on the
 * all-keys query. Few keys and many clients make mutations conflict, so the
 * server's OCC retries are exercised, not assumed.
 *
 * It records what every operation returned as a `History` for the
 * serializability checker: each mutation's reads and appends (or that it
 * failed), each query's snapshot, each value every subscription delivered,
 * each client's order of operations (with, for a subscriber, the value its
 * subscription showed around each one: the official client resolves a
 * mutation only once its subscriptions reflect it), and the final state,
 * read once every client is done and after every subscription has shown it.
 */
import { type ConvexClient, ConvexHttpClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import type { Outcome } from '../apps/registers/registers.ts';
import { Draw } from '../differential/draw.ts';
import { convexClients } from '../helpers/convex-clients.ts';
import { reportFigures } from './figures.ts';
import {
  type CheckResult,
  type History,
  type Query,
  type Registers,
  type Subscription,
  type Transaction,
  checkSerializability,
  snapshotId,
} from './serializability-checker.ts';

const init = makeFunctionReference<'mutation', { keys: string[] }, null>(
  'registers:init',
);
const append = makeFunctionReference<
  'mutation',
  { key: string; token: string },
  Outcome
>('registers:append');
const transfer = makeFunctionReference<
  'mutation',
  { from: string; to: string; token: string },
  Outcome
>('registers:transfer');
const readModifyWrite = makeFunctionReference<
  'mutation',
  { reads: string[]; appends: string[]; token: string },
  Outcome
>('registers:readModifyWrite');
const all = makeFunctionReference<
  'query',
  Record<string, never>,
  Record<string, string[]>
>('registers:all');

export interface WorkloadPlan {
  seed: number;
  clients: number;
  operationsPerClient: number;
  keys: number;
  /** How many of the clients also subscribe to the all-keys query. */
  subscribers: number;
}

export interface WorkloadRecord {
  history: History;
  /** Every mutation's error message, for the failures the history counts. */
  failures: string[];
  /** Errors any subscription delivered; the workload expects none. */
  subscriptionErrors: string[];
  /**
   * Appends a subscriber's own committed mutation had made that its
   * subscription did not show yet when the mutation returned; the official
   * client resolves a mutation only once its queries reflect it, so none.
   */
  unreflected: string[];
}

type Operation =
  | { kind: 'append'; key: string }
  | { kind: 'transfer'; from: string; to: string }
  | { kind: 'readModifyWrite'; reads: string[]; appends: string[] }
  | { kind: 'query' };

/** Long enough for every subscription to catch up on a busy 2-core machine. */
const SETTLE_TIMEOUT_MS = 60_000;

/**
 * Runs the workload against the deployment at `urls`: with several
 * processes of one deployment, the clients are spread over them in turn.
 */
export async function runSerializabilityWorkload(
  urls: string | readonly string[],
  plan: WorkloadPlan,
): Promise<WorkloadRecord> {
  const keys = Array.from({ length: plan.keys }, (_, i) => `k${i}`);
  const operations = drawOperations(plan, keys);
  const first = typeof urls === 'string' ? urls : (urls[0] ?? '');
  await using clients = convexClients(urls);

  // Over HTTP, not a client's socket: every client opens on the next
  // process in turn, and the first stays the first.
  await new ConvexHttpClient(first).mutation(init, { keys });

  const transactions: Transaction[] = [];
  const queries: Query[] = [];
  const failures: string[] = [];
  const subscriptionErrors: string[] = [];
  const unreflected: string[] = [];
  const subscriptions: (Subscription & { values: Registers[] })[] = [];
  const stops: (() => void)[] = [];
  const connected = operations.map((_, c) => {
    const client = clients.open();
    if (c >= plan.subscribers) return { client, subscription: undefined };
    const subscription = { id: `s${c}`, values: [] as Registers[] };
    subscriptions.push(subscription);
    stops.push(
      client.onUpdate(
        all,
        {},
        (value) => subscription.values.push(value),
        (error) => subscriptionErrors.push(error.message),
      ),
    );
    return { client, subscription };
  });

  const sessions = await Promise.all(
    connected.map(async ({ client, subscription }, c) => {
      const session: string[] = [];
      // A subscriber's session holds the values its subscription had delivered around each operation.
      let observed = -1;
      const observe = (): void => {
        const latest = (subscription?.values.length ?? 0) - 1;
        if (subscription === undefined || latest <= observed) return;
        observed = latest;
        session.push(snapshotId(subscription.id, latest));
      };
      for (const [n, operation] of (operations[c] ?? []).entries()) {
        const id = `c${c}.${n}`;
        observe();
        session.push(id);
        if (operation.kind === 'query') {
          queries.push({ id, registers: await client.query(all, {}) });
        } else {
          const transaction = await transact(client, operation, id, failures);
          transactions.push(transaction);
          if (transaction.status === 'committed' && subscription)
            unreflected.push(
              ...missing(transaction, subscription.values.at(-1) ?? {}),
            );
        }
        observe();
      }
      return session;
    }),
  );

  // Over HTTP, which reads at the latest commit of any process.
  const final = await new ConvexHttpClient(first).query(all, {});
  await settle(subscriptions, final);
  for (const stop of stops) stop();

  return {
    history: { transactions, queries, subscriptions, sessions, final },
    failures,
    subscriptionErrors,
    unreflected,
  };
}

/** A workload run against a server and checked, with what the tests assert on. */
export interface CheckedWorkload extends WorkloadRecord, CheckResult {
  failed: ReturnType<typeof classifyFailures>;
  /** OCC retries the server counted during the run. */
  retries: number;
}

/** Runs the workload on the deployment at `urls`, checks its history and reports the figures under `test`. */
export async function runCheckedWorkload(
  test: string,
  urls: string | readonly string[],
  plan: WorkloadPlan,
): Promise<CheckedWorkload> {
  const record = await runSerializabilityWorkload(urls, plan);
  const result = checkSerializability(record.history);
  let retries = 0;
  for (const url of typeof urls === 'string' ? [urls] : urls)
    retries += await occRetries(url);
  const failed = classifyFailures(record.failures);
  const { checked, anomalies } = result;
  reportFigures(test, {
    seed: plan.seed,
    clients: plan.clients,
    committed: checked.committed,
    'failed (OCC retries exhausted)': failed.occ,
    queries: checked.queries,
    snapshots: checked.snapshots,
    'dependency edges': checked.edges,
    'OCC retries': retries,
    anomalies: anomalies.length,
  });
  return { ...record, ...result, failed, retries };
}

/** The sum of `converge_occ_retries_total` over every function. */
async function occRetries(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('converge_occ_retries_total{'))
    .reduce((sum, line) => sum + Number(line.slice(line.indexOf('} ') + 2)), 0);
}

/** The appends of `transaction` that `registers` does not show, described. */
function missing(transaction: Transaction, registers: Registers): string[] {
  return Object.entries(transaction.appends)
    .filter(([key, token]) => !(registers[key] ?? []).includes(token))
    .map(
      ([key, token]) =>
        `${transaction.id} returned before its subscription showed ${token} in ${key}`,
    );
}

/** Runs one mutation and records it as committed, or failed with its error kept. */
async function transact(
  client: ConvexClient,
  operation: Exclude<Operation, { kind: 'query' }>,
  id: string,
  failures: string[],
): Promise<Transaction> {
  const appends = Object.fromEntries(
    appendedKeys(operation).map((key) => [key, id]),
  );
  const result = await mutate(client, operation, id).then(
    (outcome) => ({ success: true as const, outcome }),
    (error: unknown) => ({ success: false as const, error }),
  );
  if (!result.success) {
    failures.push(
      result.error instanceof Error
        ? result.error.message
        : String(result.error),
    );
    return { id, status: 'failed', reads: {}, appends };
  }
  if (!sameAppends(result.outcome.appended, appends))
    throw new Error(
      `${id} asked to append to ${JSON.stringify(appends)} but the mutation reports ${JSON.stringify(result.outcome.appended)}`,
    );
  return { id, status: 'committed', reads: result.outcome.read, appends };
}

/**
 * Why mutations failed: their OCC retries ran out under contention, or
 * anything else, which the tests expect never to see (a mutation awaiting
 * its checksum digest, host work on the thread pool, must not be taken for
 * one that can never finish). A failed mutation's appends must never be
 * visible, and the checker holds them to that whatever the reason.
 */
function classifyFailures(failures: readonly string[]): {
  occ: number;
  other: string[];
} {
  const exhausted = (message: string) =>
    message.includes('changed while this mutation was being run');
  return {
    occ: failures.filter(exhausted).length,
    other: failures.filter((message) => !exhausted(message)),
  };
}

/** Each client's operations, drawn from the seed before anything runs, so the seed alone names the run. */
function drawOperations(plan: WorkloadPlan, keys: string[]): Operation[][] {
  const draw = new Draw(plan.seed);
  const distinct = (count: number): string[] => {
    const pool = [...keys];
    return Array.from({ length: Math.min(count, pool.length) }, () =>
      pool.splice(draw.int(0, pool.length - 1), 1).join(''),
    );
  };
  return Array.from({ length: plan.clients }, () =>
    Array.from({ length: plan.operationsPerClient }, (): Operation => {
      const roll = draw.int(0, 99);
      if (roll < 20) return { kind: 'append', key: draw.pick(keys) };
      if (roll < 45) {
        const [from = 'k0', to = 'k1'] = distinct(2);
        return { kind: 'transfer', from, to };
      }
      if (roll < 80) {
        // Reads a few keys and appends to some of them, sometimes none: write skew's shape, and read-only transactions.
        const reads = distinct(draw.int(1, Math.min(4, keys.length)));
        const appends = reads.filter(() => draw.chance(0.4));
        return { kind: 'readModifyWrite', reads, appends };
      }
      return { kind: 'query' };
    }),
  );
}

function appendedKeys(operation: Exclude<Operation, { kind: 'query' }>) {
  switch (operation.kind) {
    case 'append':
      return [operation.key];
    case 'transfer':
      return [operation.from, operation.to];
    case 'readModifyWrite':
      return operation.appends;
  }
}

function mutate(
  client: ConvexClient,
  operation: Exclude<Operation, { kind: 'query' }>,
  token: string,
): Promise<Outcome> {
  switch (operation.kind) {
    case 'append':
      return client.mutation(append, { key: operation.key, token });
    case 'transfer':
      return client.mutation(transfer, {
        from: operation.from,
        to: operation.to,
        token,
      });
    case 'readModifyWrite':
      return client.mutation(readModifyWrite, {
        reads: operation.reads,
        appends: operation.appends,
        token,
      });
  }
}

function sameAppends(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
): boolean {
  const entries = Object.entries(a);
  return (
    entries.length === Object.keys(b).length &&
    entries.every(([key, token]) => b[key] === token)
  );
}

function sameRegisters(a: Registers | undefined, b: Registers): boolean {
  if (a === undefined) return false;
  const keys = Object.keys(b);
  return (
    Object.keys(a).length === keys.length &&
    keys.every((key) => (a[key] ?? []).join(' ') === (b[key] ?? []).join(' '))
  );
}

/** Waits until every subscription's latest value is the final state. */
async function settle(
  subscriptions: readonly { id: string; values: Registers[] }[],
  final: Registers,
): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  for (;;) {
    const behind = subscriptions.filter(
      ({ values }) => !sameRegisters(values.at(-1), final),
    );
    if (behind.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(
        `subscriptions ${behind.map(({ id }) => id).join(', ')} never showed the final state`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
