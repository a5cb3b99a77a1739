import { expect, test } from 'vitest';
import {
  LimitError,
  TransactionUsage,
  documentProblem,
  limits,
} from './limits.ts';
import type { Document } from './store.ts';

const doc = (fields: Record<string, unknown>): Document => ({
  _id: 'j571ttpbb8jhqj38x3qwhmnmbh8jqy5k',
  _creationTime: 1,
  ...fields,
});

test('documentProblem() accepts an ordinary document', () => {
  expect(
    documentProblem(doc({ body: 'hello', tags: ['a'], meta: { n: 1n } })),
  ).toBeNull();
});

test('documentProblem() refuses documents over 1 MiB', () => {
  expect(
    documentProblem(doc({ big: 'x'.repeat(limits.documentSize) })),
  ).toMatch(
    /^Value is too large \(\d+ bytes > maximum size 1048576 bytes\)\.$/,
  );
});

test('documentProblem() refuses what convex/values refuses', () => {
  expect(documentProblem(doc({ $where: 1 }))).toBe(
    "Field name $where starts with a '$', which is reserved.",
  );
  expect(documentProblem(doc({ when: new Date() }))).toMatch(
    /not a supported Convex type/,
  );
});

test('documentProblem() refuses user fields that start with an underscore', () => {
  expect(documentProblem(doc({ _secret: 1 }))).toBe(
    "Field '_secret' starts with an underscore, which is only allowed for system fields.",
  );
});

test('documentProblem() refuses nesting deeper than 16', () => {
  // The document itself is the first level.
  let deep: unknown = 1;
  for (let i = 0; i < 15; i++) deep = { d: deep };
  expect(documentProblem(doc({ ok: deep }))).toBeNull();
  expect(documentProblem(doc({ tooDeep: [deep] }))).toMatch(
    /too nested \(nested 17 levels deep > maximum nesting 16\)/,
  );
});

test('TransactionUsage stops a transaction at the read and write limits', () => {
  const usage = new TransactionUsage();
  const small = doc({});
  usage.read(Array.from({ length: limits.documentsRead }, () => small));
  expect(() => usage.read([small])).toThrow(LimitError);
  expect(() => usage.read([small])).toThrow(
    'Too many documents read in a single function execution (limit: 32000).',
  );

  const writes = new TransactionUsage();
  expect(() => writes.wrote(small, limits.documentsWritten)).not.toThrow();
  expect(() => writes.wrote(small, limits.documentsWritten + 1)).toThrow(
    /Too many documents written/,
  );

  const ranges = new TransactionUsage();
  for (let i = 0; i < limits.indexRanges; i++) ranges.indexRange();
  expect(() => ranges.indexRange()).toThrow(/Too many index ranges read/);
});
