/**
 * Whether a presented admin key is the deployment's, compared in constant
 * time: both sides are hashed first, so neither the position of the first
 * difference nor the expected key's length shows in the timing.
 *
 * Not here: issuing or storing the key (the CLI generates it on first start)
 * and what an admin may do (the sync and HTTP layers).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export function adminKeyMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
