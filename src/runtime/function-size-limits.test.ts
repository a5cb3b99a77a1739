import { describe, expect, test } from 'vitest';
import {
  MAX_ARGUMENTS_BYTES,
  argumentsTooLarge,
  binarySize,
  resultTooLarge,
} from './function-size-limits.ts';

describe('function size limits', () => {
  test('sizes print in binary units as Convex prints them', () => {
    expect(binarySize(512)).toBe('512 B');
    expect(binarySize(16 * 1024 * 1024)).toBe('16 MiB');
    expect(binarySize(16.5 * 1024 * 1024)).toBe('16.5 MiB');
    expect(binarySize(17_000_000)).toBe('16.21 MiB');
  });

  test('arguments are measured as the array the function is called with', () => {
    // A string costs its UTF-8 bytes plus 2; the object and the array 2 each,
    // and the field name its bytes plus 1.
    const overhead = 2 + 2 + 'text'.length + 1 + 2;
    const fits = { text: 'x'.repeat(MAX_ARGUMENTS_BYTES - overhead) };
    expect(argumentsTooLarge('messages:send', fits)).toBeNull();
    const over = { text: 'x'.repeat(MAX_ARGUMENTS_BYTES - overhead + 1) };
    expect(argumentsTooLarge('messages:send', over)).toBe(
      'Arguments for messages.js:send are too large (actual: 16 MiB, limit: 16 MiB)',
    );
    expect(
      argumentsTooLarge('dir/notes:add', { text: 'x'.repeat(17_000_000) }),
    ).toBe(
      'Arguments for dir/notes.js:add are too large (actual: 16.21 MiB, limit: 16 MiB)',
    );
  });

  test('a return value over 16 MiB is refused with the function’s path', () => {
    expect(resultTooLarge('files:read', 'x'.repeat(1000))).toBeNull();
    expect(resultTooLarge('files:read', 'x'.repeat(17 * 1024 * 1024))).toBe(
      'Function files.js:read return value is too large (actual: 17 MiB, limit: 16 MiB)',
    );
  });
});
