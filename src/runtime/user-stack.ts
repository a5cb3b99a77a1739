/**
 * The stack of an error thrown by an app's code, as its author can read it:
 * the error's own lines, then only the frames of the realm's script, each
 * mapped through the bundle's source map to the file the author wrote
 * (`../convex/lib/helper.ts:2:9` for pushed code, as the CLI's source maps
 * name it, as Convex shows it; `lib/helper.ts:2:9` for a functions
 * directory). The server's own frames, which name its files and say
 * nothing about the app, are left out, and so are those of the bundle's
 * entry, which Converge wrote.
 *
 * Not here: errors thrown while a function runs, which clients see by
 * name and message only (function-failure.ts).
 */
import { SourceMap, type SourceMapPayload } from 'node:module';

/** A stack frame line: `    at fn (file:line:column)` or `    at file:line:column`. */
const FRAME = /^\s+at (?:(.*) \((.*):(\d+):(\d+)\)|(.*):(\d+):(\d+))$/;

/**
 * `stack` with the frames of `filename`, the script the realm ran, mapped
 * through `sourceMap` (the script's, null when there is none) and every
 * other frame left out. Frames that map to `entry` are left out too.
 */
export function userStack(
  stack: string,
  filename: string,
  sourceMap: string | null,
  entry: string,
): string {
  const map = sourceMap === null ? null : sourceMapOf(sourceMap);
  const lines: string[] = [];
  let inMessage = true;
  for (const line of stack.split('\n')) {
    const frame = FRAME.exec(line);
    // The message may span lines; the frames follow it.
    if (frame === null) {
      if (inMessage) lines.push(line);
      continue;
    }
    inMessage = false;
    const [, fn, inFile, inLine, inColumn, atFile, atLine, atColumn] = frame;
    const file = inFile ?? atFile;
    if (file !== filename) continue;
    const position = {
      line: Number(inLine ?? atLine),
      column: Number(inColumn ?? atColumn),
    };
    const original = map === null ? null : originalOf(map, position);
    if (original?.source === entry) continue;
    const where =
      original === null
        ? `${file}:${position.line}:${position.column}`
        : `${original.source}:${original.line}:${original.column}`;
    lines.push(
      fn === undefined ? `    at ${where}` : `    at ${fn} (${where})`,
    );
  }
  return lines.join('\n');
}

function sourceMapOf(text: string): SourceMap | null {
  try {
    return new SourceMap(JSON.parse(text) as SourceMapPayload);
  } catch {
    return null;
  }
}

/** Where a 1-based line and column of the script came from, 1-based too. */
function originalOf(
  map: SourceMap,
  position: { line: number; column: number },
): { source: string; line: number; column: number } | null {
  const entry = map.findEntry(position.line - 1, position.column - 1);
  return 'originalSource' in entry
    ? {
        source: entry.originalSource,
        line: entry.originalLine + 1,
        column: entry.originalColumn + 1,
      }
    : null;
}
