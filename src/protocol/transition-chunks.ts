/**
 * chunkTransition: the frames that carry one encoded Transition.
 *
 * The real backend splits a Transition over 5,000,000 bytes
 * (`MAX_MESSAGE_SIZE`) into `TransitionChunk`s of at most that many bytes, cut
 * on UTF-8 character boundaries, all sharing a `transitionId` that is the
 * decimal byte length of the whole JSON text; the client joins them in order
 * and parses the result. Clients before npm 1.28.0 cannot reassemble chunks,
 * so the caller decides whether to chunk at all.
 */
import type { TransitionChunk } from '../../generated/types.ts';

/** convex-backend's `MAX_MESSAGE_SIZE`: the largest frame it sends unsplit. */
export const MAX_TRANSITION_BYTES = 5_000_000;

/** The longest UTF-8 character: a smaller limit could not always make progress. */
const MIN_CHUNK_BYTES = 4;

export interface ChunkOptions {
  maxBytes?: number;
}

/** `[frame]` when it fits, else one `TransitionChunk` frame per slice. */
export function chunkTransition(
  frame: string,
  options: ChunkOptions = {},
): string[] {
  const maxBytes = options.maxBytes ?? MAX_TRANSITION_BYTES;
  if (maxBytes < MIN_CHUNK_BYTES) {
    throw new RangeError(
      `maxBytes must be at least ${MIN_CHUNK_BYTES}, got ${maxBytes}`,
    );
  }
  // A UTF-16 code unit is at most 3 UTF-8 bytes (a surrogate pair is 4 for 2 units).
  if (frame.length * 3 <= maxBytes) return [frame];
  const bytes = Buffer.from(frame, 'utf8');
  if (bytes.length <= maxBytes) return [frame];

  const slices: string[] = [];
  for (let start = 0; start < bytes.length;) {
    let end = Math.min(start + maxBytes, bytes.length);
    // Step back off UTF-8 continuation bytes (10xxxxxx) to a character boundary.
    while (end < bytes.length && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
    slices.push(bytes.toString('utf8', start, end));
    start = end;
  }
  const transitionId = String(bytes.length);
  return slices.map((chunk, partNumber) =>
    JSON.stringify({
      type: 'TransitionChunk',
      chunk,
      partNumber,
      totalParts: slices.length,
      transitionId,
    } satisfies TransitionChunk),
  );
}
