/**
 * A transaction the runtime makes on its own behalf (scheduling from an
 * action, moving a job's state, recording a stored file): it runs `body` in
 * a fresh transaction and commits, running it again on a conflict, as a
 * mutation would. These bodies are small and touch one document, so a
 * conflict that outlasts the retries is a bug or an overload, and throws.
 */
import type { DocumentStore, Transaction } from '../store/store.ts';

/** As many attempts as a mutation gets (function-runner.ts). */
const ATTEMPTS = 5;

export async function systemTransaction<T>(
  store: DocumentStore,
  body: (tx: Transaction) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const tx = await store.begin();
    const value = await body(tx);
    const committed = await tx.commit();
    if (committed.success) return value;
    if (attempt >= ATTEMPTS)
      throw new Error(
        `a system transaction conflicted ${ATTEMPTS} times on ${committed.conflict.table}`,
      );
    await new Promise((resolve) => setTimeout(resolve, attempt * 10));
  }
}
