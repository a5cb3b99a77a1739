import { EventEmitter } from 'node:events';
import { expect, test } from 'vitest';
import { createLogger } from './logger.ts';
import { shutdownSignal } from './shutdown-signal.ts';

/** Signals a test sends by hand, and the exit codes asked for. */
class FakeProcess extends EventEmitter {
  readonly exits: number[] = [];
  override on(
    signal: NodeJS.Signals,
    listener: (signal: NodeJS.Signals) => void,
  ): this {
    return super.on(signal, listener);
  }
  send(signal: NodeJS.Signals): void {
    this.emit(signal, signal);
  }
  exit(code: number): void {
    this.exits.push(code);
  }
}

function recordedLogger() {
  const messages: string[] = [];
  const logger = createLogger({
    destination: {
      write: (line: string) =>
        messages.push((JSON.parse(line) as { msg: string }).msg),
    },
  });
  return { logger, messages };
}

test('the first SIGTERM starts a graceful shutdown; it does not exit', async () => {
  const { logger, messages } = recordedLogger();
  const fake = new FakeProcess();
  const shutdown = shutdownSignal(logger, fake);

  fake.send('SIGTERM');
  expect(await shutdown).toBe('SIGTERM');
  expect(fake.exits).toEqual([]);
  expect(messages).toEqual([
    'SIGTERM: shutting down after in-flight work (again to exit at once)',
  ]);
});

test('a second signal during the shutdown exits at once, with 128 + its number', async () => {
  const { logger, messages } = recordedLogger();
  const fake = new FakeProcess();
  const shutdown = shutdownSignal(logger, fake);

  fake.send('SIGINT');
  await shutdown;
  // The operator presses Ctrl-C again while in-flight work finishes.
  fake.send('SIGINT');
  expect(fake.exits).toEqual([130]);
  expect(messages.at(-1)).toBe('SIGINT again: exiting at once');

  fake.send('SIGTERM');
  expect(fake.exits).toEqual([130, 143]);
});
