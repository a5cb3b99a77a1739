/**
 * Total mutation throughput of a server group: `clients` closed-loop
 * `ConvexClient`s dealt out in turn over the processes (client `w` on
 * process `w mod N`), each incrementing a counter of its own
 * (`counters:increment` on `load-<w>`: a read by index, then a patch, or
 * an insert the first time). No two clients touch the same document, so
 * there is no hot spot; what is measured is the commit path every
 * process shares, with any OCC retries it causes counted from the
 * processes' `/metrics` (`converge_occ_retries_total`, counted by the
 * process that ran the mutation; not `converge_commits_total`, which
 * every process now counts for every commit it hears, so a sum over the
 * processes counts each commit N times).
 *
 * Afterwards each client reads its counter back through its own process
 * and compares it with the increments it saw succeed: a counter below
 * that count lost an update, one above it holds an increment whose
 * answer never came (an operation that timed out, or failed after
 * committing).
 */
import { makeFunctionReference } from 'convex/server';
import { type ThroughputResult, closedLoop } from '../closed-loop.ts';
import { closeClients, openClient } from '../official-clients.ts';
import type { ServerGroup } from '../server-group.ts';
import type { Timing } from '../timing.ts';

const increment = makeFunctionReference<'mutation', { name: string }, null>(
  'counters:increment',
);
const get = makeFunctionReference<'query', { name: string }, number>(
  'counters:get',
);

export interface SpreadMutations {
  clients: number;
  converge: ThroughputResult;
  /** OCC retries over all the processes, warm-up included. */
  occRetries: number;
  /** Mutations acknowledged to the clients, warm-up included. */
  mutations: number;
  /** Increments acknowledged to a client but missing from its counter. */
  lostUpdates: number;
  /** Increments in a counter beyond those acknowledged to its client. */
  unacknowledged: number;
}

export async function spreadMutations(
  group: ServerGroup,
  options: { clients: number; timing: Timing },
): Promise<SpreadMutations> {
  const { servers } = group;
  const clients = Array.from({ length: options.clients }, (_, w) => {
    const server = servers[w % servers.length];
    if (!server) throw new Error('a server group with no process');
    return openClient(server.url);
  });
  const acknowledged = clients.map(() => 0);
  try {
    const retriesBefore = await group.metric('converge_occ_retries_total');
    const converge = await closedLoop({
      ...options.timing,
      workers: clients.length,
      serverCpuMs: group.cpuMs,
      op: async (worker) => {
        const client = clients[worker];
        if (!client) throw new Error(`no client ${worker}`);
        await client.mutation(increment, { name: `load-${worker}` });
        acknowledged[worker] = (acknowledged[worker] ?? 0) + 1;
      },
    });
    const occRetries =
      (await group.metric('converge_occ_retries_total')) - retriesBefore;
    const stored = await Promise.all(
      clients.map((client, w) => client.query(get, { name: `load-${w}` })),
    );
    let lostUpdates = 0;
    let unacknowledged = 0;
    stored.forEach((value, w) => {
      const difference = value - (acknowledged[w] ?? 0);
      if (difference < 0) lostUpdates -= difference;
      else unacknowledged += difference;
    });
    return {
      clients: clients.length,
      converge,
      occRetries,
      mutations: acknowledged.reduce((sum, n) => sum + n, 0),
      lostUpdates,
      unacknowledged,
    };
  } finally {
    await closeClients(clients);
  }
}
