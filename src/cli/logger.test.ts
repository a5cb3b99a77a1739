import { expect, test } from 'vitest';
import { createLogger, logTo, readableLines } from './logger.ts';

/** A logger whose JSON records the test reads back. */
function recording() {
  const records: Record<string, unknown>[] = [];
  const logger = createLogger({
    destination: {
      write: (line: string) =>
        records.push(JSON.parse(line) as Record<string, unknown>),
    },
  });
  return { logger, records };
}

test('the lower layers log through a (level, message) function that writes JSON records', () => {
  const { logger, records } = recording();
  const log = logTo(logger);
  log('warn', 'closing a sync socket: BaseVersionMismatch');
  expect(records).toEqual([
    expect.objectContaining({
      level: 40,
      msg: 'closing a sync socket: BaseVersionMismatch',
      pid: process.pid,
    }),
  ]);
});

test('below the chosen level nothing is written', () => {
  const records: string[] = [];
  const logger = createLogger({
    level: 'warn',
    destination: { write: (line: string) => records.push(line) },
  });
  logger.info('serving');
  logger.error('broken');
  expect(records).toHaveLength(1);
});

test('on a terminal a record reads as one line, a multi-line error under it', () => {
  let text = '';
  const logger = createLogger({
    destination: readableLines({ write: (chunk: string) => (text += chunk) }),
  });
  logger.error(
    { functions: 3, error: 'Bundling failed:\nnotes.ts:2:1: Unexpected end' },
    'the functions failed to load',
  );
  expect(text).toMatch(
    /^\d\d:\d\d:\d\d ERROR the functions failed to load functions=3\n {2}error:\n {4}Bundling failed:\n {4}notes\.ts:2:1: Unexpected end\n$/,
  );
});
