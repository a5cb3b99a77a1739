import { expect, test } from 'vitest';
import { type LogFilter, NO_FILTER, passesLogFilter } from './log-filter.ts';
import type { LogEntry } from './log-tail.ts';

function run(overrides: Partial<LogEntry>): LogEntry {
  return {
    udfType: 'Mutation',
    identifier: 'greetings:greet',
    logLines: ["[LOG] 'greeting' 'Ada'"],
    timestamp: 1_800_000_000,
    executionTime: 0.004,
    error: null,
    requestId: '0000000000000001',
    ...overrides,
  };
}

test('no filter shows every run', () => {
  expect(passesLogFilter(run({}), NO_FILTER)).toBe(true);
  expect(passesLogFilter(run({ error: 'boom' }), NO_FILTER)).toBe(true);
});

test('a kind, an outcome and a text each narrow what shows', () => {
  const queries: LogFilter = { ...NO_FILTER, kind: 'Query' };
  expect(passesLogFilter(run({}), queries)).toBe(false);
  expect(passesLogFilter(run({ udfType: 'Query' }), queries)).toBe(true);

  const failures: LogFilter = { ...NO_FILTER, outcome: 'failure' };
  expect(passesLogFilter(run({}), failures)).toBe(false);
  expect(
    passesLogFilter(run({ error: 'Uncaught Error: boom' }), failures),
  ).toBe(true);
  expect(
    passesLogFilter(run({ error: 'x' }), { ...NO_FILTER, outcome: 'success' }),
  ).toBe(false);

  // Text is looked for in the path, the error and the log lines, case ignored.
  for (const text of ['GREET', 'ada', '  greeting  '])
    expect(passesLogFilter(run({}), { ...NO_FILTER, text })).toBe(true);
  expect(
    passesLogFilter(run({ error: 'Disk full' }), {
      ...NO_FILTER,
      text: 'disk',
    }),
  ).toBe(true);
  expect(passesLogFilter(run({}), { ...NO_FILTER, text: 'grace' })).toBe(false);
});
