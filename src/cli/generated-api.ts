/**
 * `_generated/api.js` and `api.d.ts`: the `api` and `internal` objects through
 * which an app and its clients name functions (`api.messages.list` is
 * `"messages:list"`).
 *
 * At run time both are `anyApi` from `convex/server`, a proxy that turns a
 * property path into a function name, so `api.js` is the same for every app.
 * The types come from the modules themselves: `api.d.ts` imports each module
 * as `import type * as dir_file from "../dir/file.js"`, combines them with
 * `ApiFromModules` under their module paths, and filters the result by
 * visibility. `components` is exported too, as the Convex CLI 1.48 always
 * does; it is empty because components are out of scope.
 *
 * A module path that gives no JavaScript identifier (`123.ts`), or two that
 * give the same one (`a/b.ts`, `a_b.ts`), is a failure: the CLI would write a
 * file that does not compile.
 */
import { docComment, generatedFile } from './generated-file.ts';
import type { GeneratedFile } from './generated-file.ts';
import { modulePathOf } from '../runtime/module-discovery.ts';

const DESCRIPTION = 'Generated `api` utility.';

/** What an identifier, or a property name that needs no quotes, looks like. */
const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*$/u;

/** Names `api.d.ts` declares itself, and words that cannot name a binding. */
const ESCAPED = new Set([
  ...['fullApi', 'api', 'internal', 'components'],
  ...`break case catch class const continue debugger default delete do else
    export extends false finally for function if import in instanceof new null
    return super switch this throw true try typeof var void while with let
    static yield await enum implements interface package private protected
    public`.split(/\s+/),
]);

export type ApiFilesResult =
  { success: true; files: GeneratedFile[] } | { success: false; error: string };

/** `modules` are module files relative to the functions directory. */
export function apiFiles(modules: readonly string[]): ApiFilesResult {
  const entries: { modulePath: string; identifier: string }[] = [];
  const seen = new Map<string, string>();
  for (const file of [...modules].sort(compareCodeUnits)) {
    const modulePath = modulePathOf(file);
    const identifier = identifierOf(modulePath);
    if (!IDENTIFIER.test(identifier)) {
      return {
        success: false,
        error: `module ${file} cannot be imported by _generated/api.d.ts: "${identifier}" is not a JavaScript identifier; rename the file`,
      };
    }
    const other = seen.get(identifier);
    if (other !== undefined) {
      return {
        success: false,
        error: `modules ${other} and ${file} would both be imported as "${identifier}" by _generated/api.d.ts; rename one of them`,
      };
    }
    seen.set(identifier, file);
    entries.push({ modulePath, identifier });
  }

  const moduleImports = entries.map(
    ({ modulePath, identifier }) =>
      `import type * as ${identifier} from "../${modulePath}.js";`,
  );
  const members = entries.map(
    ({ modulePath, identifier }) =>
      `  ${propertyName(modulePath)}: typeof ${identifier};\n`,
  );
  const declarations = generatedFile('api.d.ts', DESCRIPTION, [
    ...(moduleImports.length > 0 ? [moduleImports.join('\n')] : []),
    `import type {
  ApiFromModules,
  FilterApi,
  FunctionReference,
} from "convex/server";`,
    members.length > 0
      ? `declare const fullApi: ApiFromModules<{\n${members.join('')}}>;`
      : 'declare const fullApi: ApiFromModules<{}>;',
    filteredApi('api', 'public'),
    filteredApi('internal', 'internal'),
    'export declare const components: {};',
  ]);

  const javascript = generatedFile('api.js', DESCRIPTION, [
    'import { anyApi, componentsGeneric } from "convex/server";',
    `${usageDoc('api', '')}
export const api = anyApi;
export const internal = anyApi;
export const components = componentsGeneric();`,
  ]);
  return { success: true, files: [javascript, declarations] };
}

/** `dir/my-file` → `dir_my_file`, with `_` after a taken or reserved name. */
function identifierOf(modulePath: string): string {
  const name = modulePath.replaceAll('/', '_').replaceAll('-', '_');
  return ESCAPED.has(name) ? `${name}_` : name;
}

/** Unquoted where it can be, as Prettier prints object type members. */
function propertyName(modulePath: string): string {
  return IDENTIFIER.test(modulePath) ? modulePath : `"${modulePath}"`;
}

function filteredApi(name: string, visibility: 'public' | 'internal'): string {
  return `${usageDoc(name, ` ${visibility}`)}
export declare const ${name}: FilterApi<
  typeof fullApi,
  FunctionReference<any, "${visibility}">
>;`;
}

function usageDoc(name: string, visibility: string): string {
  return docComment(`A utility for referencing Convex functions in your app's${visibility} API.

Usage:
\`\`\`js
const myFunctionReference = ${name}.myModule.myFunction;
\`\`\``);
}

/** The order the CLI sorts module files in, the same on every platform. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
