/**
 * The size limits of a function's arguments and of its return value, 16 MiB
 * each as Convex's defaults (`FUNCTION_MAX_ARGS_SIZE`,
 * `FUNCTION_MAX_RESULT_SIZE`; convex-runtime.md §5.2), measured as Convex
 * measures a value (`getConvexSize` of `convex/values`), and the failure
 * messages Convex gives, with sizes in binary units ("16 MiB", "16.5 MiB").
 *
 * The arguments are measured as the one-element array a function is called
 * with, as Convex does. Both are function errors: the caller sees a failure,
 * a mutation commits nothing.
 */
import { type Value, getConvexSize } from 'convex/values';

export const MAX_ARGUMENTS_BYTES = 16 * 1024 * 1024;
export const MAX_RESULT_BYTES = 16 * 1024 * 1024;

/** Why `args` may not be passed to the function at `path` (`module:name`), or null. */
export function argumentsTooLarge(path: string, args: Value): string | null {
  const size = getConvexSize([args]);
  return size > MAX_ARGUMENTS_BYTES
    ? `Arguments for ${moduleFilePath(path)} are too large (actual: ${binarySize(size)}, limit: ${binarySize(MAX_ARGUMENTS_BYTES)})`
    : null;
}

/** Why the function at `path` may not return `value`, or null. */
export function resultTooLarge(path: string, value: Value): string | null {
  const size = getConvexSize(value);
  return size > MAX_RESULT_BYTES
    ? `Function ${moduleFilePath(path)} return value is too large (actual: ${binarySize(size)}, limit: ${binarySize(MAX_RESULT_BYTES)})`
    : null;
}

/** `messages:send` as Convex prints a canonical path in these messages: `messages.js:send`. */
function moduleFilePath(path: string): string {
  const colon = path.lastIndexOf(':');
  return `${path.slice(0, colon)}.js${path.slice(colon)}`;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** Bytes in binary units with at most two decimals and no trailing zeros: `16 MiB`, `16.21 MiB`, `512 B`. */
export function binarySize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = unit === 0 ? String(value) : String(Number(value.toFixed(2)));
  return `${shown} ${UNITS[unit]}`;
}
