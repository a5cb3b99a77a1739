import { expect, test } from 'vitest';
import { commitNotice, readCommitNotice } from './commit-notice.ts';
import { serializeWrites } from './commit-plan.ts';
import type { DocumentWrite } from './write-set.ts';

const write = (id: string): DocumentWrite => ({
  id,
  table: 'messages',
  keys: [{ indexId: 2_560_256, old: null, new: Buffer.from(id) }],
});

test('a small commit travels whole in its notice, with the commit before it', () => {
  const writes = [write('a'), write('b')];
  const payload = commitNotice(20n, 10n, serializeWrites(writes));
  expect(readCommitNotice(payload)).toEqual({
    ts: 20n,
    commit: { previous: 10n, entry: { ts: 20n, writes } },
  });
});

test('a commit too big for a notification sends its timestamp alone', () => {
  const writes = Array.from({ length: 200 }, (_, i) => write(`doc${i}`));
  const payload = commitNotice(20n, 10n, serializeWrites(writes));
  expect(payload).toBe('20');
  expect(Buffer.byteLength(payload)).toBeLessThan(8000);
  expect(readCommitNotice(payload)).toEqual({ ts: 20n, commit: null });
});

test('a payload that is not a notice is recognised as none', () => {
  expect(readCommitNotice('')).toBeNull();
  expect(readCommitNotice('hello')).toBeNull();
  expect(readCommitNotice('12 x []')).toBeNull();
});
