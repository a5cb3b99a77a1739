/**
 * Function paths as Convex resolves them (convex-protocol.md §5.6,
 * convex-runtime.md §6): `module/path:export`, split on the last `:`; no `:`
 * means the default export; the module path may end in `.js` and nothing
 * else. So `messages`, `messages:default`, `messages.js` and
 * `messages.js:default` name one function, whose canonical form is
 * `messages:default`.
 *
 * Clients canonicalise query paths themselves but send mutation, action and
 * HTTP paths exactly as the app wrote them; the server canonicalises all.
 */

export interface UdfPath {
  /** The module path relative to the functions directory, without extension: `dir/file`. */
  module: string;
  /** The export name: `list`, or `default`. */
  name: string;
}

export type UdfPathResult =
  { success: true; path: UdfPath } | { success: false; error: string };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function parseUdfPath(text: string): UdfPathResult {
  const colon = text.lastIndexOf(':');
  const modulePart = colon === -1 ? text : text.slice(0, colon);
  const name = colon === -1 ? 'default' : text.slice(colon + 1);
  const module = modulePart.endsWith('.js')
    ? modulePart.slice(0, -'.js'.length)
    : modulePart;
  const fail = (why: string): UdfPathResult => ({
    success: false,
    error: `Invalid function path "${text}": ${why}`,
  });
  if (module === '' || module.endsWith('/'))
    return fail('the module path has no file name.');
  if (
    module
      .split('/')
      .some((part) => part === '' || part === '.' || part === '..')
  ) {
    return fail(
      'the module path must be relative, with no empty, "." or ".." parts.',
    );
  }
  const last = module.slice(module.lastIndexOf('/') + 1);
  if (last.includes('.')) return fail('a module path may only end in ".js".');
  if (!IDENTIFIER.test(name))
    return fail(`"${name}" is not a valid function name.`);
  return { success: true, path: { module, name } };
}

/** `module:name`: the one spelling a function has in the registry and in logs. */
export function canonicalUdfPath(path: UdfPath): string {
  return `${path.module}:${path.name}`;
}
