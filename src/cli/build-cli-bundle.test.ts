import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { buildCliBundle } from './build-cli-bundle.js';

const run = promisify(execFile);
const builder = new URL('./build-cli-bundle.js', import.meta.url).href;
/**
 * A bundle this large takes long enough to write that readers racing the
 * writers below meet dozens of partial files when it is written in place
 * rather than renamed into place.
 */
const PADDING = 1_000_000;
/** How many times each of the racing starts rebuilds the bundle from new sources. */
const REBUILDS = 5;

/** A TypeScript entry whose bundle exports `value`, in a temporary directory. */
async function tempTree() {
  const root = await mkdtemp(join(tmpdir(), 'converge-cli-bundle-'));
  await mkdir(join(root, 'src'));
  const entry = join(root, 'src/main.ts');
  await writeFile(
    entry,
    [
      "export { value } from './value.ts';",
      `export const padding: string = '${'x'.repeat(PADDING)}';`,
    ].join('\n'),
  );
  const setValue = (value: number) =>
    writeFile(
      join(root, 'src/value.ts'),
      `export const value: number = ${value};\n`,
    );
  await setValue(1);
  const cache = join(root, 'node_modules/.cache/converge');
  return {
    root,
    entry,
    outfile: join(cache, 'cli.js'),
    cache,
    setValue,
    async [Symbol.asyncDispose]() {
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `script` in a plain Node process (no TypeScript loader) after
 * `buildCliBundle` and `options` are in scope; resolves with its stdout.
 */
async function inNode(
  script: string,
  options: { entry: string; outfile: string },
): Promise<string> {
  const { entry, outfile } = options;
  const { stdout } = await run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      [
        "import { pathToFileURL } from 'node:url';",
        `const { buildCliBundle } = await import(${JSON.stringify(builder)});`,
        `const options = ${JSON.stringify({ entry, outfile })};`,
        // A query of its own per import, so that each one reads the file anew.
        'const bundle = (n) => import(`${pathToFileURL(options.outfile).href}?${n}`);',
        script,
      ].join('\n'),
    ],
    { timeout: 30_000 },
  );
  return stdout;
}

const buildAndImport =
  'await buildCliBundle(options); process.stdout.write(String((await bundle(0)).value));';

test('every build bundles the sources as they are now', async () => {
  await using tree = await tempTree();
  expect(await inNode(buildAndImport, tree)).toBe('1');

  await tree.setValue(2);
  expect(await inNode(buildAndImport, tree)).toBe('2');
  const map = await stat(`${tree.outfile}.map`);
  expect(map.size).toBeGreaterThan(0);
});

test('a build whose output is unchanged leaves the files as they are', async () => {
  await using tree = await tempTree();
  await buildCliBundle(tree);
  const before = await stat(tree.outfile);
  const mapBefore = await stat(`${tree.outfile}.map`);

  await buildCliBundle(tree);
  expect((await stat(tree.outfile)).ino).toBe(before.ino);
  expect((await stat(`${tree.outfile}.map`)).ino).toBe(mapBefore.ino);
});

test('a build that fails says why and leaves the last bundle', async () => {
  await using tree = await tempTree();
  await buildCliBundle(tree);
  const before = await stat(tree.outfile);
  await writeFile(join(tree.entry, '../value.ts'), 'export const value = ;\n');

  await expect(buildCliBundle(tree)).rejects.toThrow(/value\.ts:1:\d+/);
  expect((await stat(tree.outfile)).ino).toBe(before.ino);
});

test(
  'processes starting at once each build and import a whole bundle',
  { timeout: 60_000 },
  async () => {
    await using tree = await tempTree();
    const starts = await Promise.all(
      Array.from({ length: 4 }, () => inNode(buildAndImport, tree)),
    );
    expect(starts).toEqual(['1', '1', '1', '1']);
    expect((await readdir(tree.cache)).sort()).toEqual([
      'cli.js',
      'cli.js.map',
    ]);
  },
);

test(
  'a bundle being replaced is never seen in part',
  { timeout: 60_000 },
  async () => {
    await using tree = await tempTree();
    await buildCliBundle(tree);
    const stop = join(tree.root, 'stop');
    // Starts after edits, each building a bundle unlike the one in place.
    const rebuild = [
      "const { rename, writeFile } = await import('node:fs/promises');",
      "const value = options.entry.replace(/main\\.ts$/, 'value.ts');",
      `for (let n = 1; n <= ${REBUILDS}; n++) {`,
      '  await writeFile(`${value}.${process.pid}`, `export const value = ${process.pid * 1000 + n};`);',
      '  await rename(`${value}.${process.pid}`, value);',
      '  await buildCliBundle(options);',
      '}',
    ].join('\n');
    // A reader of the bundle's bytes, as an import reads them, until told to stop.
    const read = [
      "const { existsSync, readFileSync } = await import('node:fs');",
      'let partial = 0;',
      `while (!existsSync(${JSON.stringify(stop)})) {`,
      "  const text = readFileSync(options.outfile, 'latin1');",
      "  if (!text.endsWith('//# sourceMappingURL=cli.js.map\\n')) partial += 1;",
      '}',
      'process.stdout.write(String(partial));',
    ].join('\n');
    const readers = Promise.all(
      Array.from({ length: 2 }, () => inNode(read, tree)),
    );
    try {
      await Promise.all(Array.from({ length: 3 }, () => inNode(rebuild, tree)));
    } finally {
      await writeFile(stop, '');
    }
    expect(await readers).toEqual(['0', '0']);
  },
);
