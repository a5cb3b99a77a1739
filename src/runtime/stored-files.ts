/**
 * StoredFiles: the file storage routes' view of `_storage` (what
 * `ctx.storage.getUrl` and `generateUploadUrl` hand out): a file posted to
 * an upload URL is recorded, once its token checks out, in a transaction of
 * its own; a stored file is read back with its content type to be served.
 */
import type { DocumentStore } from '../store/store.ts';
import {
  type StorageContext,
  isStorageId,
  storeFile,
  storedFile,
} from './storage-syscalls.ts';
import { verifyUploadToken } from './upload-token.ts';

export class StoredFiles {
  readonly #context: StorageContext;

  constructor(
    store: DocumentStore,
    files: Pick<StorageContext, 'files' | 'origin' | 'secret'>,
  ) {
    this.#context = {
      files: files.files,
      secret: files.secret,
      store,
      get origin() {
        return files.origin;
      },
    };
  }

  /** A file posted to an upload URL: its new storage id, or why it was refused. */
  async storeUpload(
    token: string,
    bytes: Uint8Array,
    contentType: string | null,
  ): Promise<
    { success: true; storageId: string } | { success: false; error: string }
  > {
    const check = verifyUploadToken(this.#context.secret, token, Date.now());
    if (!check.success) return check;
    return {
      success: true,
      storageId: await storeFile(this.#context, bytes, contentType, undefined),
    };
  }

  /** A stored file to serve at its URL, or null when there is none. */
  async storedFileBytes(
    id: string,
  ): Promise<{ bytes: Buffer; contentType: string | null } | null> {
    if (!isStorageId(id)) return null;
    const document = await storedFile(this.#context, id);
    const bytes = document && (await this.#context.files.read(id));
    if (!bytes) return null;
    const contentType = document['contentType'];
    return {
      bytes,
      contentType: typeof contentType === 'string' ? contentType : null,
    };
  }
}
