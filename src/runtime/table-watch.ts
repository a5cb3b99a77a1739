/**
 * watchTable: calls `changed` after every commit that wrote into `table`,
 * whichever process made it (a store shared with other processes hears
 * their commits too). Calls run one at a time, in commit order, so a slow
 * one is never overtaken by the next; a call that fails goes to `onError`
 * and the watch goes on. Several commits heard while a call runs may lead
 * to as many calls: each reads what is stored when it runs.
 *
 * It is how state that lives in a system table, and that each process
 * keeps a copy of (environment variables, the deployed code), stays the
 * same on every process.
 */
import type { DocumentStore } from '../store/store.ts';

export function watchTable(
  store: DocumentStore,
  table: string,
  changed: () => Promise<void>,
  onError: (error: unknown) => void,
): () => void {
  let calls: Promise<void> = Promise.resolve();
  let stopped = false;
  const stop = store.onCommit((entry) => {
    if (!entry.writes.some((write) => write.table === table)) return;
    calls = calls.then(() => (stopped ? undefined : changed())).catch(onError);
  });
  return () => {
    stopped = true;
    stop();
  };
}
