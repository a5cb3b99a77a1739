/**
 * A deployment of several `converge serve` processes on one fresh
 * PostgreSQL database, as an operator runs N containers: the same app and
 * admin key, a data directory each, all started at once, with a round-robin
 * TCP balancer in front. Everything, database included, is gone on dispose.
 */
import { type ServerProcess, startServerProcess } from './converge-process.ts';
import { freshDatabase } from './fresh-database.ts';
import { type TcpBalancer, startTcpBalancer } from './tcp-balancer.ts';

export interface ProcessCluster extends AsyncDisposable {
  processes: readonly ServerProcess[];
  /** Each process's own URL, in order. */
  urls: readonly string[];
  /** One address for all of them. */
  balancer: TcpBalancer;
}

export async function startProcessCluster(
  app: string,
  count: number,
): Promise<ProcessCluster> {
  const database = await freshDatabase('converge_cluster');
  const started = await Promise.allSettled(
    Array.from({ length: count }, () =>
      startServerProcess(app, { databaseUrl: database.url }),
    ),
  );
  const processes = started.flatMap((s) =>
    s.status === 'fulfilled' ? [s.value] : [],
  );
  const dispose = async (): Promise<void> => {
    await Promise.all(processes.map((p) => p[Symbol.asyncDispose]()));
    await database[Symbol.asyncDispose]();
  };
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await dispose();
    throw failed.reason;
  }
  const urls = processes.map((p) => p.url);
  const balancer = await startTcpBalancer(urls);
  return {
    processes,
    urls,
    balancer,
    async [Symbol.asyncDispose]() {
      await balancer.close();
      await dispose();
    },
  };
}
