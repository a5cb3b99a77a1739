/**
 * The sources of pushed modules, kept in the store by content: the private
 * system table `_module_sources` holds each module's source and source map
 * under the SHA-256 the Convex CLI computes for it (`hash` in convex-js
 * `src/cli/lib/components.ts`: source, then source map, as lowercase hex).
 * Keeping them in the store, not on a disk, makes them survive restarts and
 * shared by every process of a deployment on PostgreSQL.
 *
 * A module is written once, however many pushes carry it, and is split
 * into parts that each fit one document; a big push is written in several
 * transactions, each well inside Convex's per-transaction limits
 * (store/limits.ts). Content addressing makes that safe: a part written
 * early changes no live code, and what a push names by hash it finds whole
 * or not at all.
 *
 * Modules are deleted when a push replaces the code that used them
 * (code-push.ts); a push that was prepared and never finished leaves its
 * modules behind.
 *
 * This is not the record of which modules are live (deployed-code.ts).
 */
import { createHash } from 'node:crypto';
import type { Document, DocumentStore, Transaction } from '../store/store.ts';
import { systemTransaction } from './system-transaction.ts';

export const MODULE_SOURCES = '_module_sources';
export const BY_SHA256 = { name: 'by_sha256', fields: ['sha256', 'part'] };

export interface ModuleSource {
  source: string;
  sourceMap?: string | undefined;
}

/**
 * UTF-16 units per part: at most 3 bytes each in UTF-8, so a part stays
 * under the 1 MiB document limit with room for its other fields.
 */
const PART_UNITS = 256 * 1024;
/** Bytes written per transaction: half of Convex's 16 MiB limit. */
const TRANSACTION_BYTES = 8 * 1024 * 1024;
/** More parts than any module has (a 16 MiB module has 64 of 256 Ki units). */
const MAX_PARTS = 4096;

export function moduleHash(module: ModuleSource): string {
  return createHash('sha256')
    .update(module.source)
    .update(module.sourceMap ?? '')
    .digest('hex');
}

/**
 * Stores the modules not stored yet; returns their hashes, in order.
 * `hashes`, when the caller has them already, spares hashing a large push
 * twice.
 */
export async function saveModules(
  store: DocumentStore,
  modules: readonly ModuleSource[],
  hashes: readonly string[] = modules.map(moduleHash),
): Promise<readonly string[]> {
  let batch: { sha256: string; module: ModuleSource }[] = [];
  let batchBytes = 0;
  const flush = async (): Promise<void> => {
    const pending = batch;
    batch = [];
    batchBytes = 0;
    if (pending.length === 0) return;
    await systemTransaction(store, async (tx) => {
      for (const { sha256, module } of pending) {
        if (await isStored(tx, sha256)) continue;
        const text = module.source + (module.sourceMap ?? '');
        for (let part = 0; part * PART_UNITS < Math.max(text.length, 1); part++)
          await tx.insert(MODULE_SOURCES, {
            sha256,
            part,
            sourceLength: module.source.length,
            text: text.slice(part * PART_UNITS, (part + 1) * PART_UNITS),
          });
      }
    });
  };
  const seen = new Set<string>();
  for (const [i, module] of modules.entries()) {
    const sha256 = hashes[i] as string;
    if (seen.has(sha256)) continue;
    seen.add(sha256);
    const bytes =
      Buffer.byteLength(module.source) +
      Buffer.byteLength(module.sourceMap ?? '');
    if (batchBytes + bytes > TRANSACTION_BYTES) await flush();
    batch.push({ sha256, module });
    batchBytes += bytes;
  }
  await flush();
  return hashes;
}

/**
 * The stored modules with these hashes: each read whole and checked
 * against its hash, or null when one is not stored.
 */
export async function readModules(
  store: DocumentStore,
  hashes: readonly string[],
): Promise<Map<string, ModuleSource> | null> {
  const found = new Map<string, ModuleSource>();
  for (const sha256 of new Set(hashes)) {
    // One transaction per module: a whole push may be far more than one
    // transaction may read, and stored modules never change.
    const tx = await store.begin();
    const module = await readModule(tx, sha256);
    if (module === null) return null;
    found.set(sha256, module);
  }
  return found;
}

/** Deletes the modules with these hashes, each in a transaction of its own. */
export async function deleteModules(
  store: DocumentStore,
  hashes: Iterable<string>,
): Promise<void> {
  for (const sha256 of new Set(hashes))
    await systemTransaction(store, async (tx) => {
      for (const part of await parts(tx, sha256, MAX_PARTS))
        await tx.delete(part._id);
    });
}

async function readModule(
  tx: Transaction,
  sha256: string,
): Promise<ModuleSource | null> {
  const documents = await parts(tx, sha256, MAX_PARTS);
  const first = documents[0];
  if (first === undefined) return null;
  const text = documents.map((d) => d['text'] as string).join('');
  const sourceLength = first['sourceLength'] as number;
  const sourceMap = text.slice(sourceLength);
  const module: ModuleSource = {
    source: text.slice(0, sourceLength),
    ...(sourceMap === '' ? {} : { sourceMap }),
  };
  if (moduleHash(module) !== sha256)
    throw new Error(`stored module ${sha256} does not match its hash`);
  return module;
}

async function isStored(tx: Transaction, sha256: string): Promise<boolean> {
  return (await parts(tx, sha256, 1)).length > 0;
}

/** The first `limit` parts of a module, in order. */
async function parts(
  tx: Transaction,
  sha256: string,
  limit: number,
): Promise<Document[]> {
  if (tx.tableNumber(MODULE_SOURCES) === null) return [];
  const { documents } = await tx.scan({
    table: MODULE_SOURCES,
    index: BY_SHA256.name,
    eq: [sha256],
    order: 'asc',
    limit,
  });
  return documents;
}
