/**
 * The per-transaction limits of Convex (convex-runtime.md §5.2, from
 * convex-backend `knobs.rs`, `document.rs`, `size.rs`), and the checks that
 * enforce them with errors that name the limit. A broken limit is thrown into
 * the function that broke it, as on Convex.
 *
 * Sizes are `getConvexSize` / `getDocumentSize` from `convex/values`, the
 * measure Convex itself uses.
 */
import { convexToJson, getConvexSize, getDocumentSize } from 'convex/values';
import type { Document, UsageFigures } from './store.ts';

export const limits = {
  documentsRead: 32_000,
  bytesRead: 16 * 1024 * 1024,
  indexRanges: 4096,
  documentsWritten: 16_000,
  bytesWritten: 16 * 1024 * 1024,
  documentSize: 1024 * 1024,
  documentNesting: 16,
} as const;

export class LimitError extends Error {
  override readonly name = 'LimitError';
}

/** What one transaction has read and written so far, checked against `limits`. */
export class TransactionUsage {
  #documentsRead = 0;
  #bytesRead = 0;
  #indexRanges = 0;
  #bytesWritten = 0;
  #documentsWritten = 0;

  figures(): UsageFigures {
    return {
      documentsRead: this.#documentsRead,
      bytesRead: this.#bytesRead,
      indexRanges: this.#indexRanges,
      documentsWritten: this.#documentsWritten,
      bytesWritten: this.#bytesWritten,
    };
  }

  read(documents: readonly Document[]): void {
    this.#documentsRead += documents.length;
    for (const document of documents)
      this.#bytesRead += getConvexSize(document);
    if (this.#documentsRead > limits.documentsRead) {
      throw new LimitError(
        `Too many documents read in a single function execution (limit: ${limits.documentsRead}).`,
      );
    }
    if (this.#bytesRead > limits.bytesRead) {
      throw new LimitError(
        `Too many bytes read in a single function execution (limit: ${limits.bytesRead} bytes).`,
      );
    }
  }

  indexRange(): void {
    this.#indexRanges += 1;
    if (this.#indexRanges > limits.indexRanges) {
      throw new LimitError(
        `Too many index ranges read in a single function execution (limit: ${limits.indexRanges}).`,
      );
    }
  }

  /** `writtenDocuments` is the number of distinct documents the transaction writes so far. */
  wrote(document: Document | null, writtenDocuments: number): void {
    this.#documentsWritten = writtenDocuments;
    if (writtenDocuments > limits.documentsWritten) {
      throw new LimitError(
        `Too many documents written in a single function execution (limit: ${limits.documentsWritten}).`,
      );
    }
    if (document) this.#bytesWritten += getConvexSize(document);
    if (this.#bytesWritten > limits.bytesWritten) {
      throw new LimitError(
        `Too many bytes written in a single function execution (limit: ${limits.bytesWritten} bytes).`,
      );
    }
  }
}

/** Why a document cannot be stored (values, field names, size, nesting), or null. */
export function documentProblem(document: Document): string | null {
  try {
    // convex/values' own checks: reserved and non-ASCII field names, unsupported values.
    convexToJson(document);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  const size = getDocumentSize(document);
  if (size > limits.documentSize) {
    return `Value is too large (${size} bytes > maximum size ${limits.documentSize} bytes).`;
  }
  for (const field of Object.keys(document)) {
    if (field.startsWith('_') && field !== '_id' && field !== '_creationTime') {
      return `Field '${field}' starts with an underscore, which is only allowed for system fields.`;
    }
  }
  const depth = nesting(document);
  if (depth > limits.documentNesting) {
    return `Document is too nested (nested ${depth} levels deep > maximum nesting ${limits.documentNesting}).`;
  }
  return null;
}

function nesting(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(nesting));
  if (
    value !== null &&
    typeof value === 'object' &&
    !(value instanceof ArrayBuffer)
  ) {
    return 1 + Math.max(0, ...Object.values(value).map(nesting));
  }
  return 0;
}
