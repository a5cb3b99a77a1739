/**
 * The official CLI's admin commands against a running Converge, as a user
 * types them (convex-cli-and-guarantees.md §1.8): `env set/get/list/remove`
 * (the official client subscribed to a query reading `process.env` sees
 * each change), `run` (a mutation, an internal query, `--identity`, and
 * the function list when the name is wrong), `run --watch`, `data` and
 * `data <table>`, and `logs` and `dev` printing a function's `console.log`
 * line.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ConvexHttpClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import { expect, test } from 'vitest';
import { convexClients } from '../helpers/convex-clients.ts';
import { type ConvexProject, convexProject } from '../helpers/convex-cli.ts';
import { startTestServer } from '../helpers/converge-server.ts';
import { watchQuery } from '../helpers/query-watch.ts';

const addNote = makeFunctionReference<'mutation', { text: string }>(
  'notes:add',
);
const greeting = makeFunctionReference<
  'query',
  Record<string, never>,
  string | null
>('env:read');

/** A file of the test app the server starts with, for a project to push. */
function appSource(file: string): string {
  return readFileSync(new URL(`../apps/cli/${file}`, import.meta.url), 'utf8');
}

/** A CLI run that fails, with its output for the report. */
async function cli(project: ConvexProject, ...args: string[]) {
  const result = await project.run(args);
  if (result.code !== 0)
    throw new Error(
      `npx convex ${args.join(' ')} exited ${result.code}:\n${result.stdout}\n${result.stderr}`,
    );
  return result.stdout;
}

/** Everything a running command has printed on `stream`, once `seen` holds of it. */
function printed(
  child: ChildProcess,
  seen: (output: string) => boolean,
  stream: 'stdout' | 'stderr' = 'stdout',
): Promise<string> {
  let output = '';
  return new Promise((resolve, reject) => {
    child[stream]?.on('data', (chunk: Buffer) => {
      output += String(chunk);
      if (seen(output)) resolve(output);
    });
    child.on('close', (code) =>
      reject(new Error(`exited ${code} having printed:\n${output}`)),
    );
  });
}

/**
 * Calls `run` until `shown` settles, and its output: a tail's first poll
 * only finds where the log ends, and what it returns is not printed, so a
 * run that lands before that poll does not show.
 */
async function untilShown(
  shown: Promise<string>,
  run: (attempt: number) => Promise<unknown>,
): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    await run(attempt);
    const output = await Promise.race([
      shown,
      new Promise<null>((resolve) => setTimeout(resolve, 500, null)),
    ]);
    if (output !== null) return output;
  }
}

test('npx convex env set, get, list and remove change what functions see, and a subscriber sees each change', async () => {
  await using server = await startTestServer('cli');
  await using project = convexProject(server, {});
  await using clients = convexClients(server.url);
  using watched = watchQuery(clients.open(), greeting, {});
  expect(await watched.next()).toBeNull();

  await cli(project, 'env', 'set', 'GREETING', 'hello from the CLI');
  expect(await watched.next((value) => value !== null)).toBe(
    'hello from the CLI',
  );
  expect(await cli(project, 'env', 'get', 'GREETING')).toBe(
    'hello from the CLI\n',
  );
  await cli(project, 'env', 'set', 'REGION', 'eu');
  expect(await cli(project, 'env', 'list', '--include-values')).toBe(
    'GREETING=hello from the CLI\nREGION=eu\n',
  );

  await cli(project, 'env', 'remove', 'GREETING');
  expect(await watched.next((value) => value === null)).toBeNull();
  const missing = await project.run(['env', 'get', 'GREETING']);
  expect(missing.stdout).toBe('');
  expect(missing.stderr).toContain('Environment variable "GREETING" not found');
  expect(await cli(project, 'env', 'list', '--include-values')).toBe(
    'REGION=eu\n',
  );
});

test('npx convex run calls mutations, internal functions and queries as an identity; a wrong name lists the functions', async () => {
  await using server = await startTestServer('cli');
  await using project = convexProject(server, {});

  const id = JSON.parse(
    await cli(project, 'run', 'notes:add', '{"text": "first"}'),
  ) as unknown;
  expect(typeof id).toBe('string');
  expect(JSON.parse(await cli(project, 'run', 'notes:list'))).toEqual([
    'first',
  ]);
  expect(JSON.parse(await cli(project, 'run', 'notes:secret'))).toBe(
    'only for admins',
  );
  expect(
    JSON.parse(
      await cli(
        project,
        'run',
        '--identity',
        '{"subject": "ada"}',
        'notes:whoami',
      ),
    ),
  ).toBe('ada');

  const wrong = await project.run(['run', 'notes:nothing']);
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toContain("Could not find function for 'notes:nothing'");
  expect(wrong.stderr).toContain('Available functions:');
  expect(wrong.stderr).toContain('notes:add');
  expect(wrong.stderr).toContain('env:read');
});

test('npx convex run --watch prints a query result, then again when it changes', async () => {
  await using server = await startTestServer('cli');
  await using project = convexProject(server, {});
  const watching = project.start(['run', '--watch', 'notes:list']);
  try {
    await printed(watching, (stdout) => stdout.includes('[]'));
    const changed = printed(watching, (stdout) => stdout.includes('"later"'));
    await cli(project, 'run', 'notes:add', '{"text": "later"}');
    expect(await changed).toContain('"later"');
  } finally {
    watching.kill();
  }
});

test('npx convex data lists the tables, and data <table> prints its documents', async () => {
  await using server = await startTestServer('cli');
  await using project = convexProject(server, {});
  await cli(project, 'run', 'notes:add', '{"text": "in a table"}');

  expect(await cli(project, 'data')).toBe('notes\n');
  const rows = await cli(project, 'data', 'notes');
  expect(rows.split('\n')[0]).toMatch(/^_id +\| _creationTime +\| text/);
  expect(rows).toContain('"in a table"');
  const lines = await cli(project, 'data', 'notes', '--format', 'jsonl');
  expect(JSON.parse(lines)).toMatchObject({ text: 'in a table' });
});

test('npx convex logs prints the log lines of functions that run while it watches', async () => {
  await using server = await startTestServer('cli');
  await using project = convexProject(server, {});
  const tail = project.start(['logs']);
  try {
    const output = await untilShown(
      printed(tail, (stdout) => stdout.includes('adding note')),
      (attempt) =>
        cli(project, 'run', 'notes:add', `{"text": "note ${attempt}"}`),
    );
    expect(output).toMatch(
      /\[CONVEX M\(notes:add\)\] \[LOG\] 'adding note' 'note \d+'/,
    );
  } finally {
    tail.kill();
  }
});

test('npx convex dev pushes, then prints the log lines of functions that run while it watches', async () => {
  await using server = await startTestServer('cli');
  await using project = convexProject(server, {
    'schema.ts': appSource('schema.ts'),
    'notes.ts': appSource('notes.ts'),
  });
  const dev = project.start(['dev', '--typecheck', 'disable']);
  try {
    const logged = printed(
      dev,
      (stderr) => stderr.includes('adding note'),
      'stderr',
    );
    await printed(
      dev,
      (stderr) => stderr.includes('Convex functions ready'),
      'stderr',
    );
    const client = new ConvexHttpClient(server.url);
    const output = await untilShown(logged, (attempt) =>
      client.mutation(addNote, { text: `from dev ${attempt}` }),
    );
    expect(output).toMatch(
      /\[CONVEX M\(notes:add\)\] \[LOG\] 'adding note' 'from dev \d+'/,
    );
  } finally {
    dev.kill();
  }
});
