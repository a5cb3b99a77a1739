/**
 * DirectoryFileStorage: the bytes of stored files as one file per
 * `_storage` document id in a directory (a SQLite deployment's
 * `<data>/storage`), the layout every data directory has had. Only the
 * processes that share the directory share its files: on PostgreSQL, file
 * bytes live in the database instead (postgres-file-storage.ts).
 *
 * Writes go to a temporary name and are renamed into place, so a reader
 * never sees half a file.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type FileStorage, checkFileId } from './file-storage.ts';

export class DirectoryFileStorage implements FileStorage {
  readonly #dir: string;
  #ready: Promise<unknown> | null = null;

  constructor(dir: string) {
    this.#dir = dir;
  }

  async write(id: string, bytes: Uint8Array): Promise<void> {
    const path = this.#path(id);
    await this.#ensureDir();
    const temporary = join(this.#dir, `.${randomUUID()}.tmp`);
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  }

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
    checkFileId(id);
    return join(this.#dir, id);
  }

  #ensureDir(): Promise<unknown> {
    this.#ready ??= mkdir(this.#dir, { recursive: true });
    return this.#ready;
  }
}
