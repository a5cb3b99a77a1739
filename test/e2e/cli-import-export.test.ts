/**
 * `npx convex export` and `npx convex import` against Converge, as a user
 * backs up a deployment and restores it elsewhere
 * (convex-cli-and-guarantees.md §1.8): the snapshot ZIP of one server,
 * imported into a fresh one, gives the official client the same documents,
 * with the same ids and creation times, so that references between tables
 * still hold; a JSON Lines file goes into one table; an import into tables
 * with documents is refused unless it appends or replaces.
 *
 * The first server ran an older version of the app before (authors only),
 * so its tables are numbered differently from a fresh server's: the import
 * renumbers the fresh server's empty tables to the numbers the ids carry.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConvexHttpClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import type { GenericId, Value } from 'convex/values';
import { unzipSync } from 'fflate';
import { expect, test } from 'vitest';
import { type ConvexProject, convexProject } from '../helpers/convex-cli.ts';
import {
  startTestServer,
  temporaryDataDir,
} from '../helpers/converge-server.ts';

type Id = GenericId<string>;
const addAuthorV0 = makeFunctionReference<'mutation', { name: string }, Id>(
  'authors:addAuthor',
);
const addAuthor = makeFunctionReference<
  'mutation',
  { name: string; born?: number },
  Id
>('library:addAuthor');
const addBook = makeFunctionReference<'mutation', Record<string, Value>, Id>(
  'library:addBook',
);
const catalogue = makeFunctionReference<'query', Record<string, never>, Value>(
  'library:catalogue',
);
const storeCover = makeFunctionReference<'action', { text: string }, Id>(
  'library:storeCover',
);
const coverUrl = makeFunctionReference<'query', { id: Id }, string | null>(
  'library:coverUrl',
);

/** A CLI run: its exit code and everything it printed. */
async function cli(project: ConvexProject, ...args: string[]) {
  const result = await project.run(args, { timeoutMs: 90_000 });
  return { code: result.code, output: `${result.stdout}${result.stderr}` };
}

test('a snapshot exported by the CLI and imported into a fresh server reads the same there, references included', async () => {
  await using data = temporaryDataDir();
  // The app's first version makes authors table 10001 on this server.
  {
    await using first = await startTestServer('snapshots-v0', {
      data: data.path,
    });
    await new ConvexHttpClient(first.url).mutation(addAuthorV0, {
      name: 'Ada',
    });
  }
  await using source = await startTestServer('snapshots', { data: data.path });
  const sourceClient = new ConvexHttpClient(source.url);
  const grace = await sourceClient.mutation(addAuthor, {
    name: 'Grace',
    born: 1906,
  });
  const [adaEntry] = (await sourceClient.query(catalogue, {})) as {
    author: { _id: Id };
  }[];
  const adaId = adaEntry?.author._id ?? ('' as Id);
  await sourceClient.mutation(addBook, {
    title: 'Notes on the Analytical Engine',
    author: adaId,
    copies: 9_007_199_254_740_993n,
    cover: new Uint8Array([0, 1, 254, 255]).buffer,
    details: { year: 1843, translated: true, pages: [1n, 2.5, 'xii'] },
  });
  await sourceClient.mutation(addBook, {
    title: 'Compiler',
    author: grace,
    copies: -1n,
  });
  const coverId = await sourceClient.action(storeCover, { text: 'a cover' });
  const before = await sourceClient.query(catalogue, {});

  await using exporter = convexProject(source, {});
  const zipPath = join(exporter.dir, 'snapshot.zip');
  const exported = await cli(
    exporter,
    'export',
    '--include-file-storage',
    '--path',
    zipPath,
  );
  expect(exported.output).toMatch(/Downloaded snapshot export/);
  expect(exported.code).toBe(0);
  const entries = unzipSync(readFileSync(zipPath));
  const text = (name: string) => new TextDecoder().decode(entries[name]);
  expect(Object.keys(entries).sort()).toEqual([
    'README.md',
    '_storage/documents.jsonl',
    `_storage/${coverId}`,
    '_tables/documents.jsonl',
    'authors/documents.jsonl',
    'authors/generated_schema.jsonl',
    'books/documents.jsonl',
    'books/generated_schema.jsonl',
  ]);
  expect(text('_tables/documents.jsonl')).toBe(
    '{"name":"authors","id":10001}\n{"name":"books","id":10002}\n',
  );
  expect(text('books/generated_schema.jsonl')).toBe('"uniform"\n');
  // Int64s are integers, floats have a point, bytes are $bytes.
  expect(text('books/documents.jsonl')).toContain('"copies":9007199254740993');
  expect(text('books/documents.jsonl')).toContain('"year":1843.0');
  expect(text('books/documents.jsonl')).toContain(
    '"cover":{"$bytes":"AAH+/w=="}',
  );
  expect(text(`_storage/${coverId}`)).toBe('a cover');

  // A fresh server of the app numbers books 10001 and authors 10002.
  await using target = await startTestServer('snapshots');
  await using importer = convexProject(target, {});
  const imported = await cli(importer, 'import', zipPath);
  expect(imported.output).toMatch(
    /authors +\| 2 +\| 0 of 0 +\|[\s\S]*Added 4 documents\./,
  );
  expect(imported.code).toBe(0);
  const targetClient = new ConvexHttpClient(target.url);
  expect(await targetClient.query(catalogue, {})).toEqual(before);
  const url = await targetClient.query(coverUrl, { id: coverId });
  expect(await (await fetch(url ?? '')).text()).toBe('a cover');

  // The restored tables take new documents under their restored numbers.
  const linus = await targetClient.mutation(addAuthor, { name: 'Linus' });
  await targetClient.mutation(addBook, {
    title: 'Just for Fun',
    author: linus,
    copies: 1n,
  });
  expect((await targetClient.query(catalogue, {})) as unknown[]).toHaveLength(
    3,
  );

  // The same snapshot again: the tables have documents now (the first by
  // name is _storage, which Convex names too).
  const refused = await cli(importer, 'import', zipPath);
  expect(refused.code).toBe(1);
  expect(refused.output).toContain(
    'Hit an error while importing:\nTable _storage already exists. Please choose a new table name or use replace/append modes.',
  );
  // Replacing restores the snapshot, Linus and his book gone.
  const replaced = await cli(importer, 'import', '--replace', '-y', zipPath);
  expect(replaced.output).toMatch(/authors +\| 2 +\| 3 of 3 +\|/);
  expect(replaced.code).toBe(0);
  expect(await targetClient.query(catalogue, {})).toEqual(before);
});

test('a JSON Lines file goes into one table, appended or into a new table; a table with documents refuses it by default', async () => {
  await using server = await startTestServer('snapshots');
  await using project = convexProject(server, {});
  const client = new ConvexHttpClient(server.url);
  await client.mutation(addAuthor, { name: 'Ada', born: 1815 });
  const file = join(project.dir, 'authors.jsonl');
  writeFileSync(
    file,
    '{"name":"Grace","born":1906}\n{"name":"Barbara","born":1939}\n',
  );

  const refused = await cli(project, 'import', '--table', 'authors', file);
  expect(refused.code).toBe(1);
  expect(refused.output).toContain(
    'Table authors already exists. Please choose a new table name or use replace/append modes.',
  );
  const appended = await cli(
    project,
    'import',
    '--table',
    'authors',
    '--append',
    file,
  );
  expect(appended.output).toContain('Added 2 documents to table "authors".');
  expect(appended.code).toBe(0);
  const names = (
    (await client.query(catalogue, {})) as {
      author: { name: string; born: number };
    }[]
  ).map((entry) => [entry.author.name, entry.author.born]);
  expect(names).toEqual([
    ['Ada', 1815],
    ['Grace', 1906],
    ['Barbara', 1939],
  ]);

  const fresh = await cli(project, 'import', '--table', 'readers', file);
  expect(fresh.output).toContain('Added 2 documents to table "readers".');
  expect(fresh.code).toBe(0);
});
