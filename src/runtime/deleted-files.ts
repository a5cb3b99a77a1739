/**
 * removeDeletedFiles: a stored file's bytes go once the commit that deletes
 * its `_storage` document is durable: from a mutation's `ctx.storage.delete`
 * or `db.system` delete, an action's, the dashboard's `deleteDocuments`.
 * Only then, since a mutation that fails or loses a conflict deletes
 * nothing, and its file must stay readable. The commit log says what was
 * deleted (a write whose every index key is gone), so this is a listener on
 * it, as the rest of the server's reactions to commits are.
 *
 * Only this process's own commits: on a database shared by several
 * processes, the one that committed the delete removes the bytes, once.
 * A removal that fails is reported and the bytes stay (an orphan, never a
 * document without its file). `stop` waits for the removals under way.
 *
 * Not here: snapshot imports in replace mode, which remove the files of the
 * documents they replace themselves (snapshot-import.ts).
 */
import type { FileStorage } from '../store/file-storage.ts';
import type { DocumentStore } from '../store/store.ts';
import type { DocumentWrite } from '../store/write-set.ts';

const STORAGE_TABLE = '_storage';

export function removeDeletedFiles(options: {
  store: Pick<DocumentStore, 'onCommit'>;
  files: FileStorage;
  onError: (error: unknown) => void;
}): {
  /** Resolves once the removals asked for so far are done. */
  settled: () => Promise<void>;
  stop: () => Promise<void>;
} {
  let removals: Promise<void> = Promise.resolve();
  const unsubscribe = options.store.onCommit((entry, own) => {
    if (!own) return;
    for (const write of entry.writes)
      if (write.table === STORAGE_TABLE && isDeletion(write))
        removals = removals
          .then(() => options.files.remove(write.id))
          .catch(options.onError);
  });
  return {
    settled: () => removals,
    async stop() {
      unsubscribe();
      await removals;
    },
  };
}

/** A write that leaves the document in no index: it is gone. */
function isDeletion(write: DocumentWrite): boolean {
  return (
    write.keys.length > 0 &&
    write.keys.every((key) => key.new === null && key.old !== null)
  );
}
