/**
 * The file storage contract on PostgreSQL, each test in a schema of its
 * own, and what the chunked layout looks like in it. DATABASE_URL names
 * the server; unreachable means failing, never skipping.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { expect, test } from 'vitest';
import { describeFileStorageContract } from '../../test/helpers/file-storage-contract.ts';
import { POSTGRES_URL } from '../../test/helpers/fresh-database.ts';
import {
  FILE_CHUNK_BYTES,
  type PostgresFileStorage,
  openPostgresFileStorage,
} from './postgres-file-storage.ts';

async function sql<T extends pg.QueryResultRow>(
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** A schema of the test's own, and every storage opened on it, dropped on dispose. */
async function freshSchema() {
  const schema = `converge_files_${randomBytes(6).toString('hex')}`;
  const opened: PostgresFileStorage[] = [];
  const open = async () => {
    const files = await openPostgresFileStorage(POSTGRES_URL, schema);
    opened.push(files);
    return files;
  };
  return {
    schema,
    files: await open(),
    another: open,
    async [Symbol.asyncDispose]() {
      for (const files of opened) await files.close();
      await sql(`DROP SCHEMA ${schema} CASCADE`);
    },
  };
}

describeFileStorageContract('PostgreSQL', {
  fresh: freshSchema,
  largeFileBytes: 2 * FILE_CHUNK_BYTES + 1,
});

test('a file is stored as chunks of at most FILE_CHUNK_BYTES, and an empty one as one empty chunk', async () => {
  await using storage = await freshSchema();
  await storage.files.write('klarge', randomBytes(2 * FILE_CHUNK_BYTES + 3));
  await storage.files.write('kempty', new Uint8Array(0));

  const rows = await sql<{ id: string; chunk: number; size: number }>(
    `SELECT id, chunk, octet_length(bytes) AS size
       FROM ${storage.schema}.file_chunks ORDER BY id, chunk`,
  );
  expect(rows).toEqual([
    { id: 'kempty', chunk: 0, size: 0 },
    { id: 'klarge', chunk: 0, size: FILE_CHUNK_BYTES },
    { id: 'klarge', chunk: 1, size: FILE_CHUNK_BYTES },
    { id: 'klarge', chunk: 2, size: 3 },
  ]);
});

test('processes opening the same schema at once both find the table ready', async () => {
  const schema = `converge_files_${randomBytes(6).toString('hex')}`;
  const opened = await Promise.all(
    Array.from({ length: 4 }, () =>
      openPostgresFileStorage(POSTGRES_URL, schema),
    ),
  );
  try {
    await opened[0]?.write('kfirst', new TextEncoder().encode('first'));
    expect((await opened[3]?.read('kfirst'))?.toString()).toBe('first');
  } finally {
    for (const files of opened) await files.close();
    await sql(`DROP SCHEMA ${schema} CASCADE`);
  }
});
