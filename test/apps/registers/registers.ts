/**
 * List-append registers for the serializability checker: each key holds the
 * tokens appended to it, and every mutation reads some keys, then appends
 * its one unique token to some of them, returning exactly what it read and
 * what it appended. Because a token is written once, every value a read
 * returns names the transactions that wrote it, and a key's list is the
 * order of its writes.
 *
 * Each register also keeps a SHA-256 of its list, computed with Web Crypto
 * between a mutation's reads and its writes. The digest settles on a later
 * turn of the event loop, so concurrent mutations interleave there even on
 * a store whose reads never wait, and their conflicts are real.
 */
import {
  type DataModelFromSchemaDefinition,
  type GenericDatabaseReader,
  type GenericDatabaseWriter,
  mutationGeneric,
  queryGeneric,
} from 'convex/server';
import { v } from 'convex/values';
import type schema from './schema.ts';

type DataModel = DataModelFromSchemaDefinition<typeof schema>;

/** What one transaction read (before its own appends) and appended. */
export interface Outcome {
  read: Record<string, string[]>;
  appended: Record<string, string>;
}

export const init = mutationGeneric({
  args: { keys: v.array(v.string()) },
  handler: async (ctx, { keys }) => {
    for (const key of keys) {
      const existing = await ctx.db
        .query('registers')
        .withIndex('by_key', (q) => q.eq('key', key))
        .unique();
      if (!existing)
        await ctx.db.insert('registers', {
          key,
          list: [],
          checksum: EMPTY_CHECKSUM,
        });
    }
  },
});

/** SHA-256 of the empty list, so that setting up never waits on a digest. */
const EMPTY_CHECKSUM =
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

async function checksum(list: readonly string[]): Promise<string> {
  const digest = await crypto.subtle.digest(
    'SHA-256',
    new TextEncoder().encode(list.join('\n')),
  );
  return Array.from(new Uint8Array(digest), (byte) =>
    byte.toString(16).padStart(2, '0'),
  ).join('');
}

/** Reads every key in `reads` and `appends`, then appends `token` to each key in `appends`. */
async function readThenAppend(
  db: GenericDatabaseWriter<DataModel>,
  reads: readonly string[],
  appends: readonly string[],
  token: string,
): Promise<Outcome> {
  const outcome: Outcome = { read: {}, appended: {} };
  const found = new Map<string, DataModel['registers']['document']>();
  for (const key of new Set([...reads, ...appends])) {
    const register = await db
      .query('registers')
      .withIndex('by_key', (q) => q.eq('key', key))
      .unique();
    if (!register) throw new Error(`no register ${key}`);
    found.set(key, register);
    outcome.read[key] = register.list;
  }
  for (const key of appends) {
    const register = found.get(key);
    if (!register) throw new Error(`no register ${key}`);
    const list = [...register.list, token];
    await db.patch(register._id, { list, checksum: await checksum(list) });
    outcome.appended[key] = token;
  }
  return outcome;
}

/** One key, read and appended to: the counterpart of an increment. */
export const append = mutationGeneric({
  args: { key: v.string(), token: v.string() },
  handler: (ctx, { key, token }) => readThenAppend(ctx.db, [key], [key], token),
});

/** Two keys, both read and appended to in one transaction. */
export const transfer = mutationGeneric({
  args: { from: v.string(), to: v.string(), token: v.string() },
  handler: (ctx, { from, to, token }) =>
    readThenAppend(ctx.db, [from, to], [from, to], token),
});

/** Any keys read, any appended to: with disjoint appends, the shape of write skew. */
export const readModifyWrite = mutationGeneric({
  args: {
    reads: v.array(v.string()),
    appends: v.array(v.string()),
    token: v.string(),
  },
  handler: (ctx, { reads, appends, token }) =>
    readThenAppend(ctx.db, reads, appends, token),
});

async function readAll(
  db: GenericDatabaseReader<DataModel>,
): Promise<Record<string, string[]>> {
  const registers = await db.query('registers').collect();
  return Object.fromEntries(registers.map(({ key, list }) => [key, list]));
}

/** Every key's list, at one snapshot. */
export const all = queryGeneric({
  args: {},
  handler: (ctx) => readAll(ctx.db),
});
