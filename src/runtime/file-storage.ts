/**
 * FileStorage: the bytes of stored files, one file per `_storage` document
 * under a directory (the data directory's `storage/`), named by the
 * document's id, so the document itself holds only Convex's fields
 * (`sha256`, `size`, `contentType`). A file is written before the
 * transaction that records it commits; one whose transaction failed is
 * never reachable, since no document names it.
 *
 * Writes go to a temporary name and are renamed into place, so a reader
 * never sees half a file.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const STORAGE_TABLE = '_storage';

/** The fields of a `_storage` document for some bytes. */
export interface StoredFileFields {
  /** Base64, as Convex keeps it in `_storage`. */
  sha256: string;
  size: number;
  contentType?: string;
}

export class FileStorage {
  readonly #dir: string;
  #ready: Promise<unknown> | null = null;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Writes `bytes` as the file of document `id`. */
  async write(id: string, bytes: Uint8Array): Promise<void> {
    await this.#ensureDir();
    const temporary = join(this.#dir, `.${randomUUID()}.tmp`);
    await writeFile(temporary, bytes);
    await rename(temporary, this.#path(id));
  }

  /** The file of document `id`, or null when there is none. */
  async read(id: string): Promise<Buffer | null> {
    try {
      return await readFile(this.#path(id));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async remove(id: string): Promise<void> {
    await rm(this.#path(id), { force: true });
  }

  #path(id: string): string {
    if (!/^[0-9a-z]+$/.test(id)) throw new Error(`Invalid storage id ${id}`);
    return join(this.#dir, id);
  }

  #ensureDir(): Promise<unknown> {
    this.#ready ??= mkdir(this.#dir, { recursive: true });
    return this.#ready;
  }
}

/** What `_storage` records of some bytes; a given `sha256` (base64) must match them. */
export function storedFileFields(
  bytes: Uint8Array,
  contentType: string | null | undefined,
  expectedSha256?: string,
): StoredFileFields {
  const sha256 = createHash('sha256').update(bytes).digest('base64');
  if (expectedSha256 !== undefined && expectedSha256 !== sha256)
    throw new Error(
      `The sha256 of the file (${sha256}) does not match the one given (${expectedSha256}).`,
    );
  return {
    sha256,
    size: bytes.byteLength,
    ...(contentType ? { contentType } : {}),
  };
}
