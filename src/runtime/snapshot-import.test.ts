import type { Value } from 'convex/values';
import { describe, expect, test } from 'vitest';
import {
  insertRows as insert,
  tableDocuments as all,
  temporaryStore,
} from '../../test/helpers/temporary-store.ts';
import {
  decodeDocumentId,
  encodeDocumentId,
  newInternalId,
} from '../store/document-id.ts';
import type { DocumentStore } from '../store/store.ts';
import type { ImportSource } from './import-source.ts';
import type { ImportMode } from './import-summary.ts';
import { writeImport } from './snapshot-import.ts';

type Rows = Record<string, Value>[];

function source(
  tables: Record<string, Rows>,
  numbers: Record<string, number> = {},
): ImportSource {
  return {
    tables: Object.entries(tables).map(([name, rows]) => ({
      name,
      number: numbers[name] ?? null,
      rows: () => rows.map((document) => ({ success: true, document })),
    })),
    storage: null,
  };
}

/** Records what the import reports, and never stops it. */
function reporter() {
  const seen = { progress: [] as string[], checkpoints: [] as string[] };
  return {
    seen,
    progress: async (message: string) => void seen.progress.push(message),
    checkpoint: async (message: string) => void seen.checkpoints.push(message),
    stopped: () => false,
  };
}

async function run(
  store: DocumentStore,
  files: Parameters<typeof writeImport>[1],
  from: ImportSource,
  mode: ImportMode,
) {
  const progress = reporter();
  return {
    outcome: await writeImport(store, files, from, mode, progress),
    ...progress.seen,
  };
}

describe('writeImport() once confirmed', () => {
  test('rows keep their ids and creation times; rows without an id get new ones', async () => {
    await using fresh = await temporaryStore();
    const id = encodeDocumentId(10_001, newInternalId(1000));
    const { outcome, checkpoints } = await run(
      fresh.store,
      fresh.files,
      source({ t: [{ _id: id, _creationTime: 1000.5, a: 1n }, { b: 'new' }] }),
      'requireEmpty',
    );
    expect(outcome).toEqual({
      success: true,
      rowsWritten: 2,
      tablesMoved: false,
    });
    expect(checkpoints).toEqual(['Imported "t" (2 documents)']);
    const [restored, added] = await all(fresh.store, 't');
    expect(restored).toEqual({ _id: id, _creationTime: 1000.5, a: 1n });
    expect(added?.['b']).toBe('new');
    expect(decodeDocumentId(added?._id ?? '')?.tableNumber).toBe(10_001);
  });

  test('append adds to a table; replace empties it first; replaceAll empties every other table too', async () => {
    await using fresh = await temporaryStore();
    const { store, files } = fresh;
    await insert(store, 'a', [{ v: 'old' }]);
    await insert(store, 'b', [{ v: 'other' }]);
    const incoming = source({ a: [{ v: 'new' }] });
    expect((await run(store, files, incoming, 'append')).outcome.success).toBe(
      true,
    );
    expect((await all(store, 'a')).map((d) => d['v'])).toEqual(['old', 'new']);
    expect((await run(store, files, incoming, 'replace')).outcome.success).toBe(
      true,
    );
    expect((await all(store, 'a')).map((d) => d['v'])).toEqual(['new']);
    expect((await all(store, 'b')).map((d) => d['v'])).toEqual(['other']);
    expect(
      (await run(store, files, incoming, 'replaceAll')).outcome.success,
    ).toBe(true);
    expect((await all(store, 'a')).map((d) => d['v'])).toEqual(['new']);
    expect(await all(store, 'b')).toEqual([]);
    expect((await run(store, files, incoming, 'requireEmpty')).outcome).toEqual(
      {
        success: false,
        error:
          'Table a already exists. Please choose a new table name or use replace/append modes.',
      },
    );
  });

  test('empty tables numbered otherwise take the numbers the ids carry, swapping if they must', async () => {
    await using fresh = await temporaryStore();
    const { store, files } = fresh;
    // Here books is 10001 and authors 10002; in the snapshot it is the other way round.
    await store.defineIndexes('books', [
      { name: 'by_author', fields: ['author'] },
    ]);
    await store.defineIndexes('authors', []);
    const author = encodeDocumentId(10_001, newInternalId(5));
    const book = encodeDocumentId(10_002, newInternalId(6));
    const { outcome } = await run(
      store,
      files,
      source(
        {
          authors: [{ _id: author, _creationTime: 5, name: 'Ada' }],
          books: [{ _id: book, _creationTime: 6, author }],
        },
        { authors: 10_001, books: 10_002 },
      ),
      'requireEmpty',
    );
    expect(outcome).toEqual({
      success: true,
      rowsWritten: 2,
      tablesMoved: true,
    });
    const tx = await store.begin();
    expect([tx.tableNumber('authors'), tx.tableNumber('books')]).toEqual([
      10_001, 10_002,
    ]);
    const byAuthor = await tx.scan({
      table: 'books',
      index: 'by_author',
      eq: [author],
      order: 'asc',
      limit: 10,
    });
    expect(byAuthor.documents.map((d) => d._id)).toEqual([book]);
  });

  test('more rows than one transaction may write go in several, each reported', async () => {
    await using fresh = await temporaryStore();
    const rows = Array.from({ length: 8001 }, (_, i) => ({ i }));
    const { outcome, progress } = await run(
      fresh.store,
      fresh.files,
      source({ many: rows }),
      'requireEmpty',
    );
    expect(outcome).toMatchObject({ success: true, rowsWritten: 8001 });
    expect(progress).toEqual([
      'Importing "many"',
      'Importing "many" (8,000 documents)',
      'Importing "many" (8,001 documents)',
    ]);
    expect(await all(fresh.store, 'many')).toHaveLength(8001);
  });

  test('a row the store refuses fails the import with its row number, and its batch is not written', async () => {
    await using fresh = await temporaryStore();
    const stranger = encodeDocumentId(10_009, newInternalId(1));
    await insert(fresh.store, 'first', [{ v: 0 }]);
    const { outcome } = await run(
      fresh.store,
      fresh.files,
      source({ first: [{ ok: 1 }, { _id: stranger, _creationTime: 1 }] }),
      'append',
    );
    expect(outcome).toEqual({
      success: false,
      error: `Row 2: _id ${stranger} cannot be imported into 'first' because its IDs have a different format`,
    });
    expect(await all(fresh.store, 'first')).toHaveLength(1);
    const bad = await run(
      fresh.store,
      fresh.files,
      source({ second: [{ $bad: 1 }] }),
      'requireEmpty',
    );
    expect(bad.outcome).toMatchObject({
      success: false,
      error: expect.stringMatching(/^Row 1: .*\$bad/) as unknown,
    });
  });
});
