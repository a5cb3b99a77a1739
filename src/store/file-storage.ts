/**
 * FileStorage: where the bytes of stored files live, one file per
 * `_storage` document, named by the document's id. The document holds only
 * Convex's fields (`sha256`, `size`, `contentType`); the bytes are here.
 * Two implementations: a directory (directory-file-storage.ts, the data
 * directory's `storage/` of a SQLite deployment) and PostgreSQL
 * (postgres-file-storage.ts, shared by every process on one database);
 * open-store.ts picks the one the store implies.
 *
 * What every implementation promises:
 * - a `write` is whole or absent: a reader sees the file complete or not at
 *   all, never half of it; `write` resolves once every instance can read the
 *   bytes, so the transaction recording the document commits after them;
 * - every instance opened on the same place sees the others' files;
 * - writing an id again replaces its bytes; removing a missing id is not an
 *   error.
 *
 * Not here: which files exist for Convex (that is `_storage`, read in a
 * transaction), or their fields (runtime/stored-file-fields.ts).
 */

export interface FileStorage {
  /** Writes `bytes` as the file of document `id`. */
  write(id: string, bytes: Uint8Array): Promise<void>;
  /** The file of document `id`, or null when there is none. */
  read(id: string): Promise<Buffer | null>;
  remove(id: string): Promise<void>;
}

/**
 * Throws unless `id` has the form of a document id (lowercase letters and
 * digits), so an id can name a file and never reach outside the storage.
 */
export function checkFileId(id: string): void {
  if (!/^[0-9a-z]+$/.test(id)) throw new Error(`Invalid storage id ${id}`);
}
