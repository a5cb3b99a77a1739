import type { Value } from 'convex/values';
import { describe, expect, test } from 'vitest';
import {
  insertRows as insert,
  temporaryStore,
} from '../../test/helpers/temporary-store.ts';
import type { ImportSource } from './import-source.ts';
import { importSummary } from './import-summary.ts';

type Rows = Record<string, Value>[];

function source(tables: Record<string, Rows>): ImportSource {
  return {
    tables: Object.entries(tables).map(([name, rows]) => ({
      name,
      number: null,
      rows: () => rows.map((document) => ({ success: true, document })),
    })),
    storage: null,
  };
}

describe('importSummary() before the user confirms', () => {
  test('sums up what each table gains and loses, and asks for confirmation only when something is deleted', async () => {
    await using fresh = await temporaryStore();
    await insert(fresh.store, 'kept', [{ v: 1 }, { v: 2 }]);
    await insert(fresh.store, 'other', [{ v: 3 }]);
    const incoming = source({ kept: [{ v: 9 }], added: [] });
    expect(await importSummary(fresh.store, incoming, 'replaceAll')).toEqual({
      success: true,
      message: [
        'Import change summary:',
        'table | create | delete |',
        '-------------------------',
        'added | 0      | 0 of 0 |',
        'kept  | 1      | 2 of 2 |',
        'other | 0      | 1 of 1 |',
        'Once the import has started, it will run in the background.',
        'Interrupting `npx convex import` will not cancel it.',
      ].join('\n'),
      requireManualConfirmation: true,
    });
    expect(await importSummary(fresh.store, incoming, 'append')).toMatchObject({
      requireManualConfirmation: false,
    });
    expect(await importSummary(fresh.store, incoming, 'requireEmpty')).toEqual({
      success: false,
      error:
        'Table kept already exists. Please choose a new table name or use replace/append modes.',
    });
  });
});
