/**
 * How deeply a parsed JSON value nests, measured without recursion: the
 * generated validators and `jsonToConvex` walk values recursively, so a
 * frame or body nested tens of thousands of levels deep would overflow the
 * stack in them. Checking the depth first turns that into a bad-input
 * answer.
 *
 * The limit is serde_json's default recursion limit, 128, past which the
 * real backend cannot even parse a frame or a body; a Convex value itself
 * nests at most 64 levels, so every valid message fits well inside it.
 */
import type { JSONValue } from 'convex/values';

export const MAX_JSON_DEPTH = 128;

/** True when `value` has containers nested more than `limit` deep. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    const depth = next.depth + 1;
    if (depth > limit) return true;
    const children: readonly unknown[] = Array.isArray(next.value)
      ? next.value
      : Object.values(next.value as Record<string, JSONValue>);
    for (const child of children)
      if (typeof child === 'object' && child !== null)
        pending.push({ value: child, depth });
  }
  return false;
}
