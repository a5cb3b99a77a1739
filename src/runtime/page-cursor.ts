/**
 * Pagination cursors: opaque strings holding a position in an index (after a
 * key, or the end) and the fingerprint of the query they belong to, so that
 * a cursor handed to a different query is refused with `InvalidCursor`, the
 * word `usePaginatedQuery` looks for to start over (convex-protocol.md §5.3).
 *
 * Opaque, not secret: a cursor only ever moves its own caller through data
 * the query could read anyway.
 */
import { createHash } from 'node:crypto';

export type CursorPosition = { kind: 'after'; key: Buffer } | { kind: 'end' };

/** Identifies a query and the index fields it runs on: a cursor is valid only for the same. */
export function queryFingerprint(
  query: unknown,
  fields: readonly string[],
): string {
  return createHash('sha256')
    .update(JSON.stringify({ query, fields }))
    .digest('base64url')
    .slice(0, 22);
}

export function encodeCursor(
  position: CursorPosition,
  fingerprint: string,
): string {
  const at =
    position.kind === 'end' ? 'end' : position.key.toString('base64url');
  return Buffer.from(JSON.stringify({ q: fingerprint, at })).toString(
    'base64url',
  );
}

export function decodeCursor(
  cursor: string,
  fingerprint: string,
): CursorPosition {
  let parsed: { q?: unknown; at?: unknown };
  try {
    parsed = JSON.parse(
      Buffer.from(cursor, 'base64url').toString('utf8'),
    ) as typeof parsed;
  } catch {
    throw new Error(`InvalidCursor: Failed to parse cursor "${cursor}".`);
  }
  if (parsed.q !== fingerprint || typeof parsed.at !== 'string') {
    throw new Error(
      'InvalidCursor: Tried to run a query starting from a cursor, but it looks like this cursor is from a different query.',
    );
  }
  return parsed.at === 'end'
    ? { kind: 'end' }
    : { kind: 'after', key: Buffer.from(parsed.at, 'base64url') };
}
