import { expect, test } from 'vitest';
import { userStack } from './user-stack.ts';

/** A map of a two-line script: line 1 is the entry's, line 2 `lib/helper.ts`'s line 7. */
const SOURCE_MAP = JSON.stringify({
  version: 3,
  sources: ['converge-entry.js', 'lib/helper.ts'],
  names: [],
  // Line 1, column 0 → entry 1:1; line 2, column 0 → helper 7:3.
  mappings: 'AAAA;ACME',
});

test('the realm’s frames are mapped to the author’s files; the server’s and the entry’s are left out', () => {
  const stack = [
    'Error: it broke',
    'across two lines',
    '    at hostHelper (/srv/converge/src/runtime/host.ts:10:5)',
    '    at explode (converge:functions:2:1)',
    '    at converge:functions:1:1',
    '    at Object.runBody (/srv/converge/src/runtime/user-realm.ts:349:32)',
  ].join('\n');
  expect(
    userStack(stack, 'converge:functions', SOURCE_MAP, 'converge-entry.js'),
  ).toBe(
    [
      'Error: it broke',
      'across two lines',
      '    at explode (lib/helper.ts:7:3)',
    ].join('\n'),
  );
});

test('without a source map the realm’s frames stay as they are, and the server’s still go', () => {
  const stack = [
    'TypeError: x is not a function',
    '    at handler (converge:functions:40:12)',
    '    at run (/srv/converge/src/runtime/udf-run.ts:1:1)',
  ].join('\n');
  expect(
    userStack(stack, 'converge:functions', null, 'converge-entry.js'),
  ).toBe(
    [
      'TypeError: x is not a function',
      '    at handler (converge:functions:40:12)',
    ].join('\n'),
  );
});
