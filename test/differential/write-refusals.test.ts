/**
 * Writes Convex refuses, which the differential runs first found Converge
 * accepting; each is its smallest repro, kept as a regression test.
 *
 * Convex checks every written document against its table's validator when
 * the schema has `schemaValidation` (the default; convex-runtime.md §4.7),
 * and convex-test refuses these writes with "Validator error: …". Convex also
 * refuses an inserted `_id` or `_creationTime` (convex-backend
 * `ResolvedDocument::new_internal`: `InvalidIdError`,
 * `InvalidCreationTimeError`).
 */
import { beforeAll, expect, test } from 'vitest';
import type { LoadedFunctions } from '../../src/runtime/load-functions.ts';
import {
  type Backend,
  loadDifferentialApp,
  startConverge,
} from './backends.ts';

let app: LoadedFunctions;
beforeAll(async () => {
  app = await loadDifferentialApp();
});

/** Converge over a fresh store holding one valid item, `existing`. */
async function withOneItem(): Promise<Backend & { existing: string }> {
  const converge = await startConverge(app);
  const inserted = await converge.mutation('writes:insert', {
    table: 'items',
    doc: { n: 1, s: 'a' },
  });
  if (!inserted.success) throw new Error(inserted.errorMessage);
  return Object.assign(converge, {
    existing: (inserted.value as { _id: string })._id,
  });
}

test('an insert missing a required field is refused', async () => {
  await using converge = await withOneItem();
  // items requires `s`.
  expect(
    await converge.mutation('writes:insert', { table: 'items', doc: { n: 1 } }),
  ).toMatchObject({ success: false });
});

test('a patch that removes a required field is refused', async () => {
  await using converge = await withOneItem();
  expect(
    await converge.mutation('writes:patch', {
      id: converge.existing,
      set: {},
      unset: ['s'],
    }),
  ).toMatchObject({ success: false });
});

test('a replace with a field the table lacks is refused', async () => {
  await using converge = await withOneItem();
  expect(
    await converge.mutation('writes:replace', {
      id: converge.existing,
      doc: { n: 2, s: 'b', owner: 'ann' },
    }),
  ).toMatchObject({ success: false });
});

test("an insert carrying another document's _id is refused", async () => {
  await using converge = await withOneItem();
  expect(
    await converge.mutation('writes:insert', {
      table: 'items',
      doc: { n: 2, s: 'b', _id: converge.existing },
    }),
  ).toMatchObject({ success: false });
});
