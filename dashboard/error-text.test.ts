import { expect, test } from 'vitest';
import { errorText } from './error-text.ts';

test('a server error reads without the client’s wrapping', () => {
  expect(
    errorText(
      new Error(
        '[CONVEX M(_system/frontend/replaceDocument)] [Request ID: 7f] Server Error\nUncaught Error: Failed to insert or update a document\n\n  Called by client',
      ),
    ),
  ).toBe('Uncaught Error: Failed to insert or update a document');
  expect(
    errorText(
      new Error(
        '[CONVEX M(_system/frontend/x)] Operation mutation not permitted\n  Called by client',
      ),
    ),
  ).toBe('Operation mutation not permitted');
});

test('a ConvexError with a string shows the string; anything else as text', () => {
  expect(
    errorText(Object.assign(new Error('wrapped'), { data: 'plain' })),
  ).toBe('plain');
  expect(errorText('a string thrown')).toBe('a string thrown');
});
