/**
 * packageRoot: the folder of Converge's own package.json, found by walking
 * up from a module's URL. The same code runs from src/ (tests, tsx) and from
 * the CLI bundle in `node_modules/.cache/converge/` (bin/converge.js), so
 * files beside src/ (the dashboard's sources) cannot be found by a fixed
 * relative path.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'converge';

export function packageRoot(moduleUrl: string): string {
  let folder = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    if (nameOf(join(folder, 'package.json')) === PACKAGE_NAME) return folder;
    const parent = dirname(folder);
    if (parent === folder)
      throw new Error(
        `No package.json named ${PACKAGE_NAME} above ${fileURLToPath(moduleUrl)}`,
      );
    folder = parent;
  }
}

function nameOf(path: string): string | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown };
    return typeof parsed.name === 'string' ? parsed.name : null;
  } catch {
    return null;
  }
}
