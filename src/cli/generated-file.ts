/**
 * A file of a functions directory's `_generated/`, and the two pieces of text
 * every such file is made of: the header the Convex CLI puts on top, and
 * JSDoc blocks.
 *
 * The text is written already in the shape Prettier gives it with its default
 * options, because the Convex CLI formats its output that way before writing
 * it: `converge codegen` and `npx convex codegen` then produce the same bytes,
 * and switching between them leaves no diff.
 */

export interface GeneratedFile {
  /** Relative to `_generated/`, e.g. `api.d.ts`. */
  path: string;
  contents: string;
}

/**
 * A generated file: the CLI's header (whose regenerate hint names the Convex
 * CLI, kept for byte equality), then the blocks separated by blank lines.
 */
export function generatedFile(
  path: string,
  description: string,
  blocks: readonly string[],
): GeneratedFile {
  const header = `/* eslint-disable */
${docComment(`${description}

THIS CODE IS AUTOMATICALLY GENERATED.

To regenerate, run \`npx convex dev\`.
@module`)}`;
  return { path, contents: `${[header, ...blocks].join('\n\n')}\n` };
}

/** A JSDoc block of the given lines; an empty line becomes a bare ` *`. */
export function docComment(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => (line === '' ? ' *' : ` * ${line}`));
  return ['/**', ...lines, ' */'].join('\n');
}
