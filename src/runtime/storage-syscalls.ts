/**
 * The file storage ops (convex-runtime.md §2.3 to §2.5): `ctx.storage` in
 * every kind of function. In queries and mutations they read and write
 * `_storage` in the function's transaction (so a stored file exists exactly
 * when the mutation commits); in actions each write is a small transaction
 * of its own, and `store`/`get` pass `Blob`s through `Convex.jsSyscall`.
 *
 * A file's URL is `<origin>/api/storage/<id>`, served by the HTTP layer,
 * and an upload URL carries a signed token (upload-token.ts).
 */
import { Buffer } from 'node:buffer';
import type { JSONValue } from 'convex/values';
import { decodeDocumentId } from '../store/document-id.ts';
import { SYSTEM_TABLES } from '../store/catalog.ts';
import type { FileStorage } from '../store/file-storage.ts';
import type { Document, DocumentStore, Transaction } from '../store/store.ts';
import { STORAGE_TABLE, storedFileFields } from './stored-file-fields.ts';
import type { FunctionKind } from './execution.ts';
import type { AsyncOps, SyscallArgs } from './syscall-table.ts';
import { systemTransaction } from './system-transaction.ts';
import { UPLOAD_URL_TTL_MS, signUploadToken } from './upload-token.ts';

export interface StorageContext {
  files: FileStorage;
  store: DocumentStore;
  /** The deployment's URL, which file and upload URLs start with. */
  origin: string;
  /** The key upload tokens are signed with. */
  secret: Uint8Array;
  /** The transaction of a query or mutation; absent in actions. */
  tx?: Transaction;
}

/** What the storage ops read of a run: its storage context, made when first asked for. */
export interface StorageRun {
  storageContext(): StorageContext;
}

const STORAGE_TABLE_NUMBER = SYSTEM_TABLES.get(STORAGE_TABLE);

const readerOps: AsyncOps<StorageRun> = {
  '1.0/storageGetUrl': async (run, args) => {
    const context = run.storageContext();
    return (await storedFile(context, storageId(args))) === null
      ? null
      : fileUrl(context.origin, storageId(args));
  },
  '1.0/storageGetMetadata': async (run, args) => {
    const document = await storedFile(run.storageContext(), storageId(args));
    return (
      document && {
        storageId: document._id,
        sha256: Buffer.from(document['sha256'] as string, 'base64').toString(
          'hex',
        ),
        size: document['size'] as number,
        contentType: (document['contentType'] as string | undefined) ?? null,
      }
    );
  },
};

const writerOps: AsyncOps<StorageRun> = {
  '1.0/storageGenerateUploadUrl': async (run) => {
    const context = run.storageContext();
    return `${context.origin}/api/storage/upload?token=${signUploadToken(
      context.secret,
      Date.now() + UPLOAD_URL_TTL_MS,
    )}`;
  },
  '1.0/storageDelete': async (run, args) => {
    await deleteFile(run.storageContext(), storageId(args));
    return null;
  },
};

/** `store` and `get` of a mutation; an action's pass `Blob`s through `Convex.jsSyscall`. */
const transactionalWriterOps: AsyncOps<StorageRun> = {
  '1.0/storageStore': async (run, args) =>
    storeFile(
      run.storageContext(),
      Buffer.from(args['blob'] as string, 'base64'),
      args['contentType'] as string | null,
      args['sha256'] as string | undefined,
    ),
  '1.0/storageGet': async (run, args) => {
    const context = run.storageContext();
    const id = storageId(args);
    const document = await storedFile(context, id);
    const bytes = document && (await context.files.read(id));
    return (
      bytes && {
        blob: bytes.toString('base64'),
        contentType: (document['contentType'] as string | undefined) ?? null,
      }
    );
  },
};

/** The storage ops of a kind of function: queries read, mutations and actions also write. */
export function storageOps(kind: FunctionKind): AsyncOps<StorageRun> {
  switch (kind) {
    case 'query':
      return readerOps;
    case 'mutation':
      return { ...readerOps, ...writerOps, ...transactionalWriterOps };
    case 'action':
    case 'httpAction':
      return { ...readerOps, ...writerOps };
  }
}

/** The action-side `ctx.storage.store` and `get`, which hand `Blob`s across. */
export function storageJsSyscall(
  context: StorageContext,
  op: string,
  args: Record<string, unknown>,
): Promise<unknown> {
  switch (op) {
    case 'storage/storeBlob': {
      const blob = args['blob'] as Blob;
      const options = args['options'] as { sha256?: string } | undefined;
      return blob
        .arrayBuffer()
        .then((buffer) =>
          storeFile(
            context,
            new Uint8Array(buffer),
            blob.type,
            options?.sha256,
          ),
        );
    }
    case 'storage/getBlob': {
      const id = storageId(args as SyscallArgs);
      return storedFile(context, id).then(async (document) => {
        const bytes = document && (await context.files.read(id));
        return bytes
          ? new Blob([bytes], {
              type: (document['contentType'] as string | undefined) ?? '',
            })
          : null;
      });
    }
    default:
      throw new Error(`Unknown JS syscall ${op}`);
  }
}

/** True when `id` is a document id of `_storage`. */
export function isStorageId(id: string): boolean {
  return decodeDocumentId(id)?.tableNumber === STORAGE_TABLE_NUMBER;
}

export function fileUrl(origin: string, id: string): string {
  return `${origin}/api/storage/${id}`;
}

/** Records the bytes in `_storage` and writes them; returns the new id. */
export async function storeFile(
  context: StorageContext,
  bytes: Uint8Array,
  contentType: string | null | undefined,
  sha256: string | undefined,
): Promise<string> {
  const fields = storedFileFields(bytes, contentType, sha256);
  const record = async (tx: Transaction) => {
    const id = await tx.insert(STORAGE_TABLE, { ...fields });
    await context.files.write(id, bytes);
    return id;
  };
  return context.tx
    ? record(context.tx)
    : systemTransaction(context.store, record);
}

async function deleteFile(context: StorageContext, id: string): Promise<void> {
  const remove = async (tx: Transaction) => {
    if (!(await fileDocument(tx, id)))
      throw new Error(`Storage id ${id} not found.`);
    await tx.delete(id);
  };
  // The bytes go when the delete commits (deleted-files.ts), from a
  // mutation's transaction or this action's own.
  if (context.tx) await remove(context.tx);
  else await systemTransaction(context.store, remove);
}

/** The `_storage` document of a storage id, read in the function's transaction or a fresh one. */
export async function storedFile(
  context: StorageContext,
  id: string,
): Promise<Document | null> {
  return fileDocument(context.tx ?? (await context.store.begin()), id);
}

async function fileDocument(
  tx: Transaction,
  id: string,
): Promise<Document | null> {
  const decoded = decodeDocumentId(id);
  if (!decoded || decoded.tableNumber !== STORAGE_TABLE_NUMBER)
    throw new Error(`Invalid storage id "${id}".`);
  return tx.get(id);
}

function storageId(args: SyscallArgs): string {
  const id: JSONValue | undefined = args['storageId'];
  if (typeof id !== 'string') throw new Error('A storage id must be a string.');
  return id;
}
