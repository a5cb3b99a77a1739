/**
 * `_generated/server.js` and `server.d.ts`: the function builders of
 * `convex/server` (`queryGeneric`, `mutationGeneric`, ...) renamed to `query`,
 * `mutation`, ... and typed with the app's `DataModel`, plus the context and
 * database types, and `env`.
 *
 * They do not depend on the app's modules: every app gets the same two files.
 * `env` has the shape the Convex CLI 1.48 gives an app that declares no
 * environment variables in a `convex.config.ts` (components are out of scope):
 * the two variables the platform always sets.
 */
import { docComment, generatedFile } from './generated-file.ts';
import type { GeneratedFile } from './generated-file.ts';

const DESCRIPTION =
  'Generated utilities for implementing server-side Convex query and mutation functions.';

interface Builder {
  name: string;
  /** Its implementation in `convex/server`. */
  generic: string;
  type: string;
  doc: string;
}

const ACTION_DOC = `An action is a function which can execute any JavaScript code, including non-deterministic
code and code with side-effects, like calling third-party services.
They can be run in Convex's JavaScript environment or in Node.js using the "use node" directive.
They can interact with the database indirectly by calling queries and mutations using the {@link ActionCtx}.`;

const builders: readonly Builder[] = [
  {
    name: 'query',
    generic: 'queryGeneric',
    type: 'QueryBuilder<DataModel, "public">',
    doc: `Define a query in this Convex app's public API.

This function will be allowed to read your Convex database and will be accessible from the client.

@param func - The query function. It receives a {@link QueryCtx} as its first argument.
@returns The wrapped query. Include this as an \`export\` to name it and make it accessible.`,
  },
  {
    name: 'internalQuery',
    generic: 'internalQueryGeneric',
    type: 'QueryBuilder<DataModel, "internal">',
    doc: `Define a query that is only accessible from other Convex functions (but not from the client).

This function will be allowed to read from your Convex database. It will not be accessible from the client.

@param func - The query function. It receives a {@link QueryCtx} as its first argument.
@returns The wrapped query. Include this as an \`export\` to name it and make it accessible.`,
  },
  {
    name: 'mutation',
    generic: 'mutationGeneric',
    type: 'MutationBuilder<DataModel, "public">',
    doc: `Define a mutation in this Convex app's public API.

This function will be allowed to modify your Convex database and will be accessible from the client.

@param func - The mutation function. It receives a {@link MutationCtx} as its first argument.
@returns The wrapped mutation. Include this as an \`export\` to name it and make it accessible.`,
  },
  {
    name: 'internalMutation',
    generic: 'internalMutationGeneric',
    type: 'MutationBuilder<DataModel, "internal">',
    doc: `Define a mutation that is only accessible from other Convex functions (but not from the client).

This function will be allowed to modify your Convex database. It will not be accessible from the client.

@param func - The mutation function. It receives a {@link MutationCtx} as its first argument.
@returns The wrapped mutation. Include this as an \`export\` to name it and make it accessible.`,
  },
  {
    name: 'action',
    generic: 'actionGeneric',
    type: 'ActionBuilder<DataModel, "public">',
    doc: `Define an action in this Convex app's public API.

${ACTION_DOC}

@param func - The action. It receives an {@link ActionCtx} as its first argument.
@returns The wrapped action. Include this as an \`export\` to name it and make it accessible.`,
  },
  {
    name: 'internalAction',
    generic: 'internalActionGeneric',
    type: 'ActionBuilder<DataModel, "internal">',
    doc: `Define an action that is only accessible from other Convex functions (but not from the client).

@param func - The function. It receives an {@link ActionCtx} as its first argument.
@returns The wrapped function. Include this as an \`export\` to name it and make it accessible.`,
  },
  {
    name: 'httpAction',
    generic: 'httpActionGeneric',
    type: 'HttpActionBuilder',
    doc: `Define an HTTP action.

The wrapped function will be used to respond to HTTP requests received
by a Convex deployment if the requests matches the path and method where
this action is routed. Be sure to route your httpAction in \`convex/http.js\`.

@param func - The function. It receives an {@link ActionCtx} as its first argument
and a Fetch API \`Request\` object as its second.
@returns The wrapped function. Import this function from \`convex/http.js\` and route it to hook it up.`,
  },
];

const ENV_DOC = docComment(`Typesafe environment variables.

This includes platform-provided env vars and any variables declared in
\`convex.config.ts\`.`);

/** The types `server.d.ts` exports besides the builders, each over `DataModel`. */
const contextTypes: readonly { name: string; generic: string; doc: string }[] =
  [
    {
      name: 'QueryCtx',
      generic: 'GenericQueryCtx',
      doc: `A set of services for use within Convex query functions.

The query context is passed as the first argument to any Convex query
function run on the server.

This differs from the {@link MutationCtx} because all of the services are
read-only.`,
    },
    {
      name: 'MutationCtx',
      generic: 'GenericMutationCtx',
      doc: `A set of services for use within Convex mutation functions.

The mutation context is passed as the first argument to any Convex mutation
function run on the server.`,
    },
    {
      name: 'ActionCtx',
      generic: 'GenericActionCtx',
      doc: `A set of services for use within Convex action functions.

The action context is passed as the first argument to any Convex action
function run on the server.`,
    },
    {
      name: 'DatabaseReader',
      generic: 'GenericDatabaseReader',
      doc: `An interface to read from the database within Convex query functions.

The two entry points are {@link DatabaseReader.get}, which fetches a single
document by its {@link Id}, or {@link DatabaseReader.query}, which starts
building a query.`,
    },
    {
      name: 'DatabaseWriter',
      generic: 'GenericDatabaseWriter',
      doc: `An interface to read from and write to the database within Convex mutation
functions.

Convex guarantees that all writes within a single mutation are
executed atomically, so you never have to worry about partial writes leaving
your data in an inconsistent state. See [the Convex Guide](https://docs.convex.dev/understanding/convex-fundamentals/functions#atomicity-and-optimistic-concurrency-control)
for the guarantees Convex provides your functions.`,
    },
  ];

/** The order in which the CLI lists them in its import of `convex/server`. */
const IMPORT_ORDER = [
  'action',
  'httpAction',
  'query',
  'mutation',
  'internalAction',
  'internalMutation',
  'internalQuery',
];

/** `server.js` then `server.d.ts`. */
export function serverFiles(): GeneratedFile[] {
  const javascript = generatedFile('server.js', DESCRIPTION, [
    importBlock(
      IMPORT_ORDER.map((name) => `${name}Generic`),
      '',
    ),
    ...builders.map(
      ({ name, generic, doc }) =>
        `${docComment(doc)}\nexport const ${name} = ${generic};`,
    ),
    `${ENV_DOC}\nexport const env = process.env;`,
  ]);
  const declarations = generatedFile('server.d.ts', DESCRIPTION, [
    importBlock(
      [
        'ActionBuilder',
        'HttpActionBuilder',
        'MutationBuilder',
        'QueryBuilder',
        'GenericActionCtx',
        'GenericMutationCtx',
        'GenericQueryCtx',
        'GenericDatabaseReader',
        'GenericDatabaseWriter',
      ],
      'import type { DataModel } from "./dataModel.js";',
    ),
    `${ENV_DOC}
type Env = {
  readonly CONVEX_CLOUD_URL: string;
  readonly CONVEX_SITE_URL: string;
};`,
    ...builders.map(
      ({ name, type, doc }) =>
        `${docComment(doc)}\nexport declare const ${name}: ${type};`,
    ),
    `${ENV_DOC}\nexport declare const env: Env;`,
    ...contextTypes.map(
      ({ name, generic, doc }) =>
        `${docComment(doc)}\nexport type ${name} = ${generic}<DataModel>;`,
    ),
  ]);
  return [javascript, declarations];
}

/** `import { a, b, ... } from "convex/server";`, one name a line, then `more`. */
function importBlock(names: readonly string[], more: string): string {
  const list = names.map((name) => `  ${name},\n`).join('');
  const block = `import {\n${list}} from "convex/server";`;
  return more === '' ? block : `${block}\n${more}`;
}
