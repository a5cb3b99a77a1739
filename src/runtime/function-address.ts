/**
 * Function addresses: how `convex/server` names the function a run,
 * schedule or handle syscall targets (convex-runtime.md §6,
 * `getFunctionAddress`): `{name}` for an api reference or a path string,
 * `{functionHandle}` for a `function://` string made by
 * `createFunctionHandle`, `{reference}` for a component's function.
 *
 * Converge serves one app with no components, so a handle is its function's
 * canonical path behind the `function://` scheme, and component references
 * are an error value.
 */
import type { JSONValue } from 'convex/values';
import { canonicalUdfPath, parseUdfPath } from './udf-path.ts';

const HANDLE_SCHEME = 'function://';

export type AddressResult =
  { success: true; path: string } | { success: false; error: string };

/** The canonical path of the function an address names. */
export function addressedPath(args: Record<string, JSONValue>): AddressResult {
  const { name, functionHandle, reference } = args;
  if (typeof name === 'string') return canonical(name);
  if (typeof functionHandle === 'string') {
    if (!functionHandle.startsWith(HANDLE_SCHEME))
      return {
        success: false,
        error: `Invalid function handle "${functionHandle}".`,
      };
    return canonical(functionHandle.slice(HANDLE_SCHEME.length));
  }
  if (typeof reference === 'string')
    return {
      success: false,
      error: `Cannot call "${reference}": components are not supported by this deployment.`,
    };
  return {
    success: false,
    error: 'A function address needs a name, a function handle or a reference.',
  };
}

/** The handle `createFunctionHandle` returns for a function. */
export function functionHandle(canonicalPath: string): string {
  return `${HANDLE_SCHEME}${canonicalPath}`;
}

function canonical(path: string): AddressResult {
  const parsed = parseUdfPath(path);
  return parsed.success
    ? { success: true, path: canonicalUdfPath(parsed.path) }
    : { success: false, error: parsed.error };
}
