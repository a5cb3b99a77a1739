/**
 * The `_storage` table and what its documents record of a file's bytes:
 * Convex's fields (`sha256`, `size`, `contentType`), and nothing else; the
 * bytes themselves live in the store's FileStorage
 * (store/file-storage.ts).
 */
import { createHash } from 'node:crypto';

export const STORAGE_TABLE = '_storage';

/** The fields of a `_storage` document for some bytes. */
export interface StoredFileFields {
  /** Base64, as Convex keeps it in `_storage`. */
  sha256: string;
  size: number;
  contentType?: string;
}

/** What `_storage` records of some bytes; a given `sha256` (base64) must match them. */
export function storedFileFields(
  bytes: Uint8Array,
  contentType: string | null | undefined,
  expectedSha256?: string,
): StoredFileFields {
  const sha256 = createHash('sha256').update(bytes).digest('base64');
  if (expectedSha256 !== undefined && expectedSha256 !== sha256)
    throw new Error(
      `The sha256 of the file (${sha256}) does not match the one given (${expectedSha256}).`,
    );
  return {
    sha256,
    size: bytes.byteLength,
    ...(contentType ? { contentType } : {}),
  };
}
