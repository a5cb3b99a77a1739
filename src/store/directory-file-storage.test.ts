import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { describeFileStorageContract } from '../../test/helpers/file-storage-contract.ts';
import { DirectoryFileStorage } from './directory-file-storage.ts';

function freshDirectory() {
  const dir = mkdtempSync(join(tmpdir(), 'converge-files-'));
  return {
    path: join(dir, 'storage'),
    [Symbol.asyncDispose]: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

describeFileStorageContract('directory', {
  fresh: () => {
    const directory = freshDirectory();
    return Promise.resolve({
      files: new DirectoryFileStorage(directory.path),
      another: () => Promise.resolve(new DirectoryFileStorage(directory.path)),
      [Symbol.asyncDispose]: directory[Symbol.asyncDispose],
    });
  },
  // The directory writes a file at once; any size shows the same.
  largeFileBytes: 1024 * 1024,
});

test('each file is one file named by its id, as in every data directory so far', async () => {
  await using directory = freshDirectory();
  const files = new DirectoryFileStorage(directory.path);
  await files.write('k57abc', new TextEncoder().encode('on disk'));

  // Nothing else is left behind: the temporary name was renamed into place.
  expect(readdirSync(directory.path)).toEqual(['k57abc']);
});
