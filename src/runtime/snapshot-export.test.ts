import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import {
  insertRows as insert,
  tableDocuments,
  temporaryStore,
} from '../../test/helpers/temporary-store.ts';
import { type ImportRow, importSource } from './import-source.ts';
import { exportSnapshot } from './snapshot-export.ts';
import { storeFile } from './storage-syscalls.ts';

function documents(rows: Iterable<ImportRow>) {
  return [...rows].map((row) => {
    if (!row.success) throw new Error(row.error);
    return row.document;
  });
}

describe('exportSnapshot() writes the ZIP Convex writes', () => {
  test('the tables at the snapshot, with their numbers, read back as they were', async () => {
    await using fresh = await temporaryStore();
    const { store } = fresh;
    const [ada = ''] = await insert(store, 'authors', [{ name: 'Ada' }]);
    await insert(store, 'books', [
      {
        author: ada,
        copies: 2n ** 62n,
        cover: new Uint8Array([7, 8]).buffer,
        rating: 4,
        nested: { deep: [{ n: -0 }, NaN] },
      },
    ]);
    await insert(store, 'empty', []);
    const ts = await store.latestTs();
    // Written after the snapshot: not in the export.
    await insert(store, 'authors', [{ name: 'Later' }]);

    const path = join(fresh.dir, 'snapshot.zip');
    expect(await exportSnapshot(store, { ts, path, files: null })).toEqual({
      success: true,
    });
    const bytes = readFileSync(path);
    const entries = unzipSync(bytes);
    expect(Object.keys(entries).sort()).toEqual([
      'README.md',
      '_tables/documents.jsonl',
      'authors/documents.jsonl',
      'authors/generated_schema.jsonl',
      'books/documents.jsonl',
      'books/generated_schema.jsonl',
    ]);
    expect(new TextDecoder().decode(entries['_tables/documents.jsonl'])).toBe(
      '{"name":"authors","id":10001}\n{"name":"books","id":10002}\n',
    );

    const read = importSource(bytes, 'zip', null);
    if (!read.success) throw new Error(read.error);
    const [authors, books] = read.source.tables;
    expect(authors).toMatchObject({ name: 'authors', number: 10001 });
    expect(books).toMatchObject({ name: 'books', number: 10002 });
    expect(documents(authors?.rows() ?? [])).toEqual(
      (await tableDocuments(store, 'authors', 'by_id')).slice(0, 1),
    );
    const [book] = documents(books?.rows() ?? []);
    expect(book).toEqual((await tableDocuments(store, 'books', 'by_id'))[0]);
    expect(
      Object.is((book?.['nested'] as { deep: { n: number }[] }).deep[0]?.n, -0),
    ).toBe(true);
    expect(read.source.storage).toBeNull();
  });

  test('a table of many pages is exported whole', async () => {
    await using fresh = await temporaryStore();
    const { store } = fresh;
    for (let i = 0; i < 1500; i += 500)
      await insert(
        store,
        'rows',
        Array.from({ length: 500 }, (_, j) => ({ i: i + j })),
      );
    const path = join(fresh.dir, 'snapshot.zip');
    const ts = await store.latestTs();
    expect(await exportSnapshot(store, { ts, path, files: null })).toEqual({
      success: true,
    });
    const read = importSource(readFileSync(path), 'zip', null);
    if (!read.success) throw new Error(read.error);
    const counts = read.source.tables.map((table) => [
      table.name,
      documents(table.rows()).length,
    ]);
    expect(counts).toEqual([['rows', 1500]]);
  });

  test('with the stored files, _storage lists them and holds their bytes', async () => {
    await using fresh = await temporaryStore();
    const { store, files } = fresh;
    const context = { store, files, secret: Buffer.alloc(32), origin: '' };
    const id = await storeFile(
      context,
      new TextEncoder().encode('hi'),
      'text/plain',
      undefined,
    );
    const path = join(fresh.dir, 'snapshot.zip');
    const ts = await store.latestTs();
    expect(await exportSnapshot(store, { ts, path, files })).toEqual({
      success: true,
    });
    const entries = unzipSync(readFileSync(path));
    expect(new TextDecoder().decode(entries[`_storage/${id}`])).toBe('hi');
    const [stored] = await tableDocuments(store, '_storage', 'by_id');
    expect(
      JSON.parse(new TextDecoder().decode(entries['_storage/documents.jsonl'])),
    ).toEqual({
      _id: id,
      _creationTime: stored?._creationTime,
      sha256: stored?.['sha256'],
      size: 2,
      contentType: 'text/plain',
      internalId: id,
    });

    // A file whose bytes are gone fails the export, and leaves no archive.
    await files.remove(id);
    expect(await exportSnapshot(store, { ts, path, files })).toEqual({
      success: false,
      error: `file missing from storage: ${id}`,
    });
    expect(() => readFileSync(path)).toThrow(/ENOENT/);
  });
});
