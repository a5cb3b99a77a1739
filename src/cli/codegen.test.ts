import { execFile } from 'node:child_process';
import {
  cp,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { getFunctionName, queryGeneric } from 'convex/server';
import type { FunctionReference } from 'convex/server';
import { format } from 'prettier';
import ts from 'typescript';
import { expect, test } from 'vitest';
import { discoverFunctions } from '../runtime/module-discovery.ts';
import { codegen, runCodegen } from './codegen.ts';

const run = promisify(execFile);
const repo = new URL('../../', import.meta.url).pathname;
const basicApp = join(repo, 'test/apps/basic');

/**
 * A project in a temporary directory, laid out as a Convex app: `convex/`
 * holds a copy of the directory `app`, or the files it lists, and
 * `node_modules` is the repository's, so that `convex` resolves from there as
 * from an installed app.
 */
async function tempProject(app: string | Record<string, string>) {
  const root = await mkdtemp(join(tmpdir(), 'converge-codegen-'));
  const functions = join(root, 'convex');
  if (typeof app === 'string') {
    await cp(app, functions, { recursive: true });
  } else {
    for (const [file, contents] of Object.entries(app)) {
      await mkdir(dirname(join(functions, file)), { recursive: true });
      await writeFile(join(functions, file), contents);
    }
  }
  await symlink(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  await writeFile(
    join(root, 'package.json'),
    JSON.stringify({ type: 'module', dependencies: { convex: '1.48.0' } }),
  );
  return {
    root,
    functions,
    generated: (file: string) => join(functions, '_generated', file),
    async [Symbol.asyncDispose]() {
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** A small app written against its `_generated/` files, as Convex apps are. */
const chatApp = {
  'schema.ts': `import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  messages: defineTable({ channel: v.string(), body: v.string() }).index(
    "by_channel",
    ["channel"],
  ),
  counters: defineTable({ name: v.string(), value: v.number() }),
});
`,
  'messages.ts': `import { v } from "convex/values";
import { internal } from "./_generated/api";
import type { Id } from "./_generated/dataModel";
import { mutation, query } from "./_generated/server";

export const list = query({
  args: { channel: v.string() },
  handler: async (ctx, { channel }) =>
    await ctx.db
      .query("messages")
      .withIndex("by_channel", (q) => q.eq("channel", channel))
      .collect(),
});

export const send = mutation({
  args: { channel: v.string(), body: v.string() },
  handler: async (ctx, args): Promise<Id<"messages">> => {
    const id = await ctx.db.insert("messages", args);
    await ctx.scheduler.runAfter(0, internal.dir.nested.count, {
      name: args.channel,
    });
    return id;
  },
});
`,
  'dir/nested.ts': `import { v } from "convex/values";
import { internalMutation } from "../_generated/server";

export const count = internalMutation({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    await ctx.db.insert("counters", { name, value: 1 });
  },
});
`,
};

/** An app without a schema whose module names need escaping or quoting. */
const awkwardApp = {
  ...Object.fromEntries(
    ['api', 'my-mod', 'delete', 'http', 'Zeta', 'a/b-c/d'].map((name) => [
      `${name}.ts`,
      'import { queryGeneric } from "convex/server";\nexport const q = queryGeneric(async () => 1);\n',
    ]),
  ),
  'legacy.js': 'export const x = 1;\n',
};

async function generatedFiles(functionsDir: string) {
  const result = codegen(await discoverFunctions(functionsDir));
  if (!result.success) throw new Error(result.error);
  return new Map(result.files.map(({ path, contents }) => [path, contents]));
}

test('codegen() gives a copy of the basic app the api files the Convex CLI writes', async () => {
  await using project = await tempProject(basicApp);
  const files = await generatedFiles(project.functions);
  // In the order they are written: each file imports only the ones before it.
  expect([...files.keys()]).toEqual([
    'dataModel.d.ts',
    'server.js',
    'server.d.ts',
    'api.js',
    'api.d.ts',
  ]);

  // api.d.ts imports every module's types, a nested one under an identifier
  // made of its path, and names it by its module path in `fullApi`.
  const apiDts = files.get('api.d.ts') ?? '';
  expect(apiDts).toMatch(
    /^\/\* eslint-disable \*\/\n\/\*\*\n \* Generated `api` utility\.\n/,
  );
  // One import per module, in path order; the list grows with the app.
  for (const line of [
    'import type * as counters from "../counters.js";\nimport type * as dir_nested from "../dir/nested.js";\n',
    'import type * as messages from "../messages.js";\n',
  ])
    expect(apiDts).toContain(line);
  expect(apiDts).toContain(`
declare const fullApi: ApiFromModules<{
  actions: typeof actions;
  counters: typeof counters;
  "dir/nested": typeof dir_nested;
  errors: typeof errors;
`);
  expect(apiDts).toContain('\n  messages: typeof messages;\n');
  expect(apiDts).toContain(`
export declare const api: FilterApi<
  typeof fullApi,
  FunctionReference<any, "public">
>;
`);
  expect(apiDts).toContain(`
export declare const internal: FilterApi<
  typeof fullApi,
  FunctionReference<any, "internal">
>;

export declare const components: {};
`);

  // At run time every name is the same proxy; only the types differ.
  expect(files.get('api.js')).toContain(`
import { anyApi, componentsGeneric } from "convex/server";
`);
  expect(files.get('api.js')).toContain(`
export const api = anyApi;
export const internal = anyApi;
export const components = componentsGeneric();
`);
});

test('codegen() types the data model from schema.ts when there is one, and permissively without', async () => {
  const withSchema = (await generatedFiles(basicApp)).get('dataModel.d.ts');
  expect(withSchema).toContain('\nimport schema from "../schema.js";\n');
  expect(withSchema).toContain(
    '\nexport type DataModel = DataModelFromSchemaDefinition<typeof schema>;\n',
  );

  const without = codegen({
    modules: [],
    schema: undefined,
    authConfig: undefined,
  });
  const dataModel = without.success ? without.files[0]?.contents : '';
  expect(dataModel).toContain('\nexport type Doc = any;\n');
  expect(dataModel).toContain('\nexport type DataModel = AnyDataModel;\n');
  expect(dataModel).not.toContain('schema.js');
});

test('codegen() renames the convex/server builders in server.js and types them in server.d.ts', async () => {
  const files = await generatedFiles(basicApp);
  expect(files.get('server.js')).toContain(
    '\nexport const query = queryGeneric;\n',
  );
  expect(files.get('server.js')).toContain(
    '\nexport const internalMutation = internalMutationGeneric;\n',
  );
  expect(files.get('server.js')).toContain(
    '\nexport const env = process.env;\n',
  );
  expect(files.get('server.d.ts')).toContain(
    '\nexport declare const query: QueryBuilder<DataModel, "public">;\n',
  );
  expect(files.get('server.d.ts')).toContain(
    '\nexport type MutationCtx = GenericMutationCtx<DataModel>;\n',
  );
});

test('codegen() names modules as the CLI does, and refuses names no import can bind', () => {
  const named = codegen({
    modules: ['my-mod.ts', 'delete.ts', 'api.ts', 'Zeta.ts', 'ünï.ts'],
    schema: undefined,
    authConfig: undefined,
  });
  const apiDts = named.success ? named.files[4]?.contents : '';
  // Sorted by code unit; "-" becomes "_"; reserved words and the file's own
  // names get a trailing "_"; keys are quoted only when they must be.
  expect(apiDts).toContain(`
declare const fullApi: ApiFromModules<{
  Zeta: typeof Zeta;
  api: typeof api_;
  delete: typeof delete_;
  "my-mod": typeof my_mod;
  ünï: typeof ünï;
}>;
`);

  // The CLI would write `import type * as 123`, which does not parse.
  expect(
    codegen({ modules: ['123.ts'], schema: undefined, authConfig: undefined }),
  ).toEqual({
    success: false,
    error:
      'module 123.ts cannot be imported by _generated/api.d.ts: "123" is not a JavaScript identifier; rename the file',
  });
  // Nor two modules under one name.
  expect(
    codegen({
      modules: ['a/b.ts', 'a_b.ts'],
      schema: undefined,
      authConfig: undefined,
    }),
  ).toEqual({
    success: false,
    error:
      'modules a/b.ts and a_b.ts would both be imported as "a_b" by _generated/api.d.ts; rename one of them',
  });
});

test('codegen() writes every file already in the Prettier format the CLI writes', async () => {
  for (const [path, contents] of await generatedFiles(basicApp)) {
    expect(await format(contents, { parser: 'typescript' }), path).toBe(
      contents,
    );
  }
});

/**
 * Stands in for a deployment for the two requests `npx convex codegen`
 * makes: it reports no deployed configuration, and analyses the pushed app
 * as one with no components, no environment variables and no static schema.
 */
async function stubDeployment() {
  const analysis = {
    definition: {
      path: '',
      definitionType: { type: 'app' },
      childComponents: [],
      httpMounts: {},
      exports: { type: 'branch', branch: [] },
      envVars: null,
    },
    schema: null,
    functions: {},
    udfConfig: { serverVersion: '1.48.0' },
  };
  const responses: Record<string, unknown> = {
    '/api/get_config_hashes': {
      config: { functions: 'convex/' },
      moduleHashes: [],
    },
    '/api/deploy2/start_push': {
      environmentVariables: {},
      externalDepsId: null,
      componentDefinitionPackages: {},
      appAuth: [],
      analysis: { '': analysis },
      app: {
        definitionPath: '',
        componentPath: '',
        args: {},
        childComponents: {},
        httpRoutes: { httpModuleRoutes: null, mounts: [] },
        exports: {},
      },
      schemaChange: {},
    },
  };
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(responses[request.url ?? ''] ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async [Symbol.asyncDispose]() {
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

test(
  'the official Convex CLI 1.48 writes the same bytes as codegen()',
  { timeout: 120_000 },
  async () => {
    await using deployment = await stubDeployment();
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith('CONVEX')),
    );
    // The basic app, a typed app with a schema, and an app with no schema.
    const convexCodegen = async (app: string | Record<string, string>) => {
      await using project = await tempProject(app);
      await run(
        process.execPath,
        [
          join(repo, 'node_modules/convex/bin/main.js'),
          'codegen',
          '--url',
          deployment.url,
          '--admin-key',
          'stub',
          '--typecheck',
          'disable',
        ],
        { cwd: project.root, env, timeout: 60_000 },
      );
      for (const [path, contents] of await generatedFiles(project.functions)) {
        expect(await readFile(project.generated(path), 'utf8'), path).toBe(
          contents,
        );
      }
    };
    await Promise.all([basicApp, chatApp, awkwardApp].map(convexCodegen));
  },
);

test(
  'an app and its client type-check against the generated files, and wrong arguments do not',
  { timeout: 120_000 },
  async () => {
    await using project = await tempProject(chatApp);
    await writeFile(
      join(project.root, 'client.ts'),
      `import { ConvexHttpClient } from "convex/browser";
import type { FunctionReturnType } from "convex/server";
import { api } from "./convex/_generated/api";
import type { Doc, Id } from "./convex/_generated/dataModel";

const client = new ConvexHttpClient("http://127.0.0.1:3210");
const messages: FunctionReturnType<typeof api.messages.list> =
  await client.query(api.messages.list, { channel: "general" });
const first: Doc<"messages"> | undefined = messages[0];
export const id: Id<"messages"> = await client.mutation(api.messages.send, {
  channel: "general",
  body: first?.body ?? "hello",
});
// @ts-expect-error internal functions are not in the public api
export const hidden = api.dir.nested.count;
`,
    );
    await writeFile(
      join(project.root, 'wrong-client.ts'),
      `import { ConvexHttpClient } from "convex/browser";
import { api } from "./convex/_generated/api";

const client = new ConvexHttpClient("http://127.0.0.1:3210");
export const wrong = await client.query(api.messages.list, { channel: 42 });
`,
    );
    expect((await runCodegen(project.functions)).success).toBe(true);

    // Compiled with the settings of the tsconfig.json the Convex CLI gives an app.
    const { options, errors } = ts.convertCompilerOptionsFromJson(
      {
        allowJs: true,
        strict: true,
        moduleResolution: 'Bundler',
        jsx: 'react-jsx',
        skipLibCheck: true,
        allowSyntheticDefaultImports: true,
        target: 'ESNext',
        lib: ['ES2023', 'dom'],
        forceConsistentCasingInFileNames: true,
        module: 'ESNext',
        isolatedModules: true,
        noEmit: true,
      },
      project.root,
    );
    expect(errors).toEqual([]);
    const roots = ['convex/messages.ts', 'client.ts', 'wrong-client.ts'];
    const program = ts.createProgram(
      roots.map((file) => join(project.root, file)),
      options,
    );
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ({
      file: d.file?.fileName.slice(project.root.length + 1),
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    }));

    // The app, its schema, its generated files and the good client compile
    // cleanly; the client that passes a number for a string does not.
    expect(diagnostics).toEqual([
      {
        file: 'wrong-client.ts',
        message: "Type 'number' is not assignable to type 'string'.",
      },
    ]);
  },
);

test('api.js names functions at run time as the server does', async () => {
  await using project = await tempProject(basicApp);
  expect((await runCodegen(project.functions)).success).toBe(true);

  // Typed as api.d.ts would type these two references.
  const { api, internal } = (await import(
    pathToFileURL(project.generated('api.js')).href
  )) as {
    api: { messages: { list: FunctionReference<'query'> } };
    internal: {
      dir: { nested: { shout: FunctionReference<'action', 'internal'> } };
    };
  };
  expect(getFunctionName(api.messages.list)).toBe('messages:list');
  expect(getFunctionName(internal.dir.nested.shout)).toBe('dir/nested:shout');

  const server = (await import(
    pathToFileURL(project.generated('server.js')).href
  )) as { query: unknown };
  expect(server.query).toBe(queryGeneric);
});

test('runCodegen() rewrites only the files that changed and removes the rest', async () => {
  await using project = await tempProject(basicApp);
  const first = await runCodegen(project.functions);
  expect(first).toMatchObject({
    success: true,
    written: [
      'dataModel.d.ts',
      'server.js',
      'server.d.ts',
      'api.js',
      'api.d.ts',
    ],
    unchanged: [],
    removed: [],
  });
  const serverWritten = (await stat(project.generated('server.js'))).mtimeMs;

  // A new module changes api.d.ts only. A file left by another codegen mode
  // is removed; the CLI's ai/ folder is not.
  await writeFile(
    join(project.functions, 'extra.ts'),
    'export const nothing = 1;\n',
  );
  await writeFile(project.generated('api.ts'), '// stale\n');
  await mkdir(project.generated('ai'));
  const second = await runCodegen(project.functions);
  expect(second).toMatchObject({
    success: true,
    written: ['api.d.ts'],
    unchanged: ['dataModel.d.ts', 'server.js', 'server.d.ts', 'api.js'],
    removed: ['api.ts'],
  });
  expect(await readFile(project.generated('api.d.ts'), 'utf8')).toContain(
    '\nimport type * as extra from "../extra.js";\n',
  );
  expect((await stat(project.generated('server.js'))).mtimeMs).toBe(
    serverWritten,
  );
  expect((await stat(project.generated('ai'))).isDirectory()).toBe(true);

  expect(await runCodegen(join(project.root, 'missing'))).toEqual({
    success: false,
    error: `${join(project.root, 'missing')} is not a functions directory`,
  });
});

test(
  'converge codegen --functions DIR writes _generated/ from the command line',
  { timeout: 60_000 },
  async () => {
    await using project = await tempProject(basicApp);
    const converge = (...args: string[]) =>
      run(
        join(repo, 'node_modules/.bin/tsx'),
        [join(repo, 'src/cli/main.ts'), ...args],
        { cwd: project.root, timeout: 30_000 },
      );
    const { stdout } = await converge(
      'codegen',
      '--functions',
      project.functions,
    );
    expect(stdout).toBe(
      `${join(project.functions, '_generated')}: 5 written, 0 unchanged\n`,
    );
    for (const [path, contents] of await generatedFiles(project.functions)) {
      expect(await readFile(project.generated(path), 'utf8'), path).toBe(
        contents,
      );
    }

    // A directory that is not there is a failure, with exit code 1.
    const missing = await converge('codegen', '--functions', 'missing').catch(
      (error: unknown) => error,
    );
    expect(missing).toMatchObject({
      code: 1,
      stderr: 'converge codegen: missing is not a functions directory\n',
    });
  },
);
