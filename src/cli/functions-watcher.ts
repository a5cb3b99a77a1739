/**
 * Watches a functions directory for `converge dev`: tells its listener once
 * per burst of changes (an editor's save is often several events), with the
 * paths that changed, relative to the directory.
 *
 * It watches each directory of the tree on its own rather than with
 * `fs.watch`'s `recursive` option: on Linux, Node 20 implements that option
 * by watching each file, and loses a file as soon as an editor saves it by
 * renaming a new file over it. A directory's watch sees its entries change
 * whatever their inode; new subdirectories are watched as they appear.
 *
 * It ignores what the server or the tools write themselves: `_generated/`
 * (written by codegen on every reload, so watching it would loop),
 * `node_modules/`, hidden files and editors' backup files.
 */
import { type FSWatcher, readdirSync, statSync, watch } from 'node:fs';
import { join } from 'node:path';

/** Long enough to gather one save's events, short enough to feel immediate. */
const DEBOUNCE_MS = 100;

export interface FunctionsWatcher extends Disposable {
  close(): void;
}

export function watchFunctions(
  root: string,
  onChange: (paths: string[]) => void,
): FunctionsWatcher {
  /** One watch per directory, by its path relative to `root` ('' for the root). */
  const watchers = new Map<string, FSWatcher>();
  let changed = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let open = true;

  const flush = (): void => {
    timer = null;
    const paths = [...changed].sort();
    changed = new Set();
    onChange(paths);
  };

  const changedAt = (path: string): void => {
    if (!open || ignored(path)) return;
    changed.add(path);
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, DEBOUNCE_MS);
    // A directory created (or moved in) is watched, and what it holds is new.
    if (isDirectory(join(root, path))) watchTree(path, { isNew: true });
  };

  const unwatch = (dir: string): void => {
    watchers.get(dir)?.close();
    watchers.delete(dir);
  };

  const watchTree = (dir: string, options: { isNew: boolean }): void => {
    if (watchers.has(dir) || (dir !== '' && ignored(dir))) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(join(root, dir), (_event, filename) => {
        if (filename !== null) changedAt(join(dir, filename));
      });
    } catch {
      return; // Gone before it could be watched: its parent reports that.
    }
    // The directory was removed: its parent's watch reports the change.
    watcher.on('error', () => unwatch(dir));
    watchers.set(dir, watcher);
    let entries: string[] = [];
    try {
      entries = readdirSync(join(root, dir));
    } catch {
      unwatch(dir);
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry);
      if (ignored(path)) continue;
      if (options.isNew) changed.add(path);
      if (isDirectory(join(root, path))) watchTree(path, options);
    }
  };

  watchTree('', { isNew: false });
  const close = (): void => {
    open = false;
    if (timer) clearTimeout(timer);
    timer = null;
    for (const dir of [...watchers.keys()]) unwatch(dir);
  };
  return { close, [Symbol.dispose]: close };
}

function ignored(path: string): boolean {
  const segments = path.split(/[\\/]/);
  return (
    segments[0] === '_generated' ||
    segments.some(
      (segment) =>
        segment === 'node_modules' ||
        segment.startsWith('.') ||
        segment.endsWith('~'),
    )
  );
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
