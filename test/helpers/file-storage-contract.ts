/**
 * The FileStorage contract as tests (src/store/file-storage.ts): every
 * implementation runs this one suite (the directory in
 * src/store/directory-file-storage.test.ts, PostgreSQL in
 * src/store/postgres-file-storage.pg.test.ts). Each test is what the
 * runtime asks of the bytes behind `_storage`, and what a second process
 * on the same storage sees of them.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { FileStorage } from '../../src/store/file-storage.ts';

export interface FileStorageHandle extends AsyncDisposable {
  files: FileStorage;
  /** Another instance on the same storage, as a second process opens it. */
  another(): Promise<FileStorage>;
}

export interface FileStorageContractOptions {
  /** A storage with no files in it. */
  fresh(): Promise<FileStorageHandle>;
  /** A size several times the largest piece the storage writes at once. */
  largeFileBytes: number;
}

/** A storage id's form: what `_storage` documents are named. */
function fileId(): string {
  return `k${randomBytes(12).toString('hex')}`;
}

export function describeFileStorageContract(
  name: string,
  options: FileStorageContractOptions,
): void {
  describe(`${name} file storage`, () => {
    test('a file written is read back byte for byte, and an id never written reads as none', async () => {
      await using storage = await options.fresh();
      const id = fileId();
      await storage.files.write(id, new TextEncoder().encode('hello'));

      expect((await storage.files.read(id))?.toString()).toBe('hello');
      expect(await storage.files.read(fileId())).toBeNull();
    });

    test('an empty file exists, and is empty', async () => {
      await using storage = await options.fresh();
      const id = fileId();
      await storage.files.write(id, new Uint8Array(0));

      const read = await storage.files.read(id);
      expect(read).not.toBeNull();
      expect(read?.length).toBe(0);
    });

    test('a file larger than one piece comes back whole, from a view into a larger buffer', async () => {
      await using storage = await options.fresh();
      // An odd size, so the last piece is a short one.
      const backing = randomBytes(options.largeFileBytes + 17);
      const bytes = new Uint8Array(
        backing.buffer,
        backing.byteOffset + 5,
        options.largeFileBytes + 7,
      );
      const id = fileId();
      await storage.files.write(id, bytes);

      const read = await storage.files.read(id);
      expect(read?.length).toBe(bytes.length);
      expect(read?.equals(bytes)).toBe(true);
    });

    test('writing an id again replaces its bytes, a shorter file included', async () => {
      await using storage = await options.fresh();
      const id = fileId();
      await storage.files.write(id, randomBytes(options.largeFileBytes));
      await storage.files.write(id, new TextEncoder().encode('second'));

      expect((await storage.files.read(id))?.toString()).toBe('second');
    });

    test('a removed file reads as none; removing it again, or an id never written, is no error', async () => {
      await using storage = await options.fresh();
      const id = fileId();
      await storage.files.write(id, new TextEncoder().encode('gone soon'));
      await storage.files.remove(id);

      expect(await storage.files.read(id)).toBeNull();
      await storage.files.remove(id);
      await storage.files.remove(fileId());
    });

    test('another instance on the same storage reads what the first wrote, and not what it removed', async () => {
      await using storage = await options.fresh();
      const other = await storage.another();
      const id = fileId();
      await storage.files.write(id, new TextEncoder().encode('shared'));

      expect((await other.read(id))?.toString()).toBe('shared');
      await other.remove(id);
      expect(await storage.files.read(id)).toBeNull();
    });

    test('a reader never sees half a file while it is written and removed', async () => {
      await using storage = await options.fresh();
      const other = await storage.another();
      const id = fileId();
      const first = randomBytes(options.largeFileBytes);
      const second = randomBytes(options.largeFileBytes + 1);

      // Read on the other instance for as long as the writes and removals go on.
      const seen: (Buffer | null)[] = [];
      let writing = true;
      const reading = (async () => {
        while (writing) seen.push(await other.read(id));
      })();
      await storage.files.write(id, first);
      await storage.files.write(id, second);
      await storage.files.remove(id);
      await storage.files.write(id, first);
      writing = false;
      await reading;

      for (const read of seen)
        expect(read === null || read.equals(first) || read.equals(second)).toBe(
          true,
        );
      expect((await other.read(id))?.equals(first)).toBe(true);
    });

    test('an id that is not a document id is refused, and names no file', async () => {
      await using storage = await options.fresh();
      const bytes = new TextEncoder().encode('outside');

      await expect(storage.files.write('../escape', bytes)).rejects.toThrow(
        'Invalid storage id',
      );
      await expect(storage.files.read('A-B')).rejects.toThrow(
        'Invalid storage id',
      );
      await expect(storage.files.remove('')).rejects.toThrow(
        'Invalid storage id',
      );
    });
  });
}
