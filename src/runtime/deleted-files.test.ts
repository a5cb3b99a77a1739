import { describe, expect, test } from 'vitest';
import { temporaryStore } from '../../test/helpers/temporary-store.ts';
import type { CommitEntry, CommitListener } from '../store/store.ts';
import { removeDeletedFiles } from './deleted-files.ts';

const BYTES = new TextEncoder().encode('a stored file');

describe('removeDeletedFiles', () => {
  test('the bytes go once the delete of the _storage document commits, and not before', async () => {
    await using t = await temporaryStore();
    const reaper = removeDeletedFiles({
      store: t.store,
      files: t.files,
      onError: (error) => {
        throw error;
      },
    });
    const tx = await t.store.begin();
    const id = await tx.insert('_storage', {
      sha256: 'x',
      size: BYTES.length,
    });
    await t.files.write(id, BYTES);
    expect((await tx.commit()).success).toBe(true);

    // A delete that never commits (a mutation that threw) removes nothing.
    const abandoned = await t.store.begin();
    await abandoned.delete(id);
    expect(await t.files.read(id)).not.toBeNull();

    // Another table's delete, and an update of the document, remove nothing.
    const other = await t.store.begin();
    const note = await other.insert('notes', { text: 'n' });
    await other.patch(id, { size: BYTES.length });
    expect((await other.commit()).success).toBe(true);
    const deleteNote = await t.store.begin();
    await deleteNote.delete(note);
    expect((await deleteNote.commit()).success).toBe(true);
    await reaper.settled();
    expect(await t.files.read(id)).not.toBeNull();

    // Committed: gone.
    const deleting = await t.store.begin();
    await deleting.delete(id);
    expect((await deleting.commit()).success).toBe(true);
    await reaper.stop();
    expect(await t.files.read(id)).toBeNull();
  });

  test('a commit heard from another process removes nothing here: its process does', async () => {
    const removed: string[] = [];
    const listeners: CommitListener[] = [];
    const reaper = removeDeletedFiles({
      store: {
        onCommit: (listener) => {
          listeners.push(listener);
          return () => undefined;
        },
      },
      files: {
        write: async () => undefined,
        read: async () => null,
        remove: async (id) => {
          removed.push(id);
        },
      },
      onError: () => undefined,
    });
    const deletion: CommitEntry = {
      ts: 1n,
      writes: [
        {
          id: 'abc',
          table: '_storage',
          keys: [{ indexId: 1, old: Buffer.from([1]), new: null }],
        },
      ],
    };
    for (const listener of listeners) {
      listener(deletion, false);
      listener(deletion, true);
    }
    await reaper.stop();
    expect(removed).toEqual(['abc']);
  });
});
