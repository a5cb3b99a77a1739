/**
 * Graceful shutdown for `converge serve` and `converge dev`: the first
 * SIGTERM or SIGINT resolves, and the caller then finishes its in-flight
 * work and closes; a second one means whoever sent it will not wait, and
 * the process exits at once with the conventional 128 + signal number.
 */
import { constants } from 'node:os';
import type { Logger } from './logger.ts';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Where signals come from and how to exit: the process, or a test's stand-in. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): void;
  exit(code: number): void;
}

export function shutdownSignal(
  logger: Logger,
  source: SignalSource = process,
): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let first: NodeJS.Signals | null = null;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (first === null) {
        first = signal;
        logger.info(
          { signal },
          `${signal}: shutting down after in-flight work (again to exit at once)`,
        );
        resolve(signal);
        return;
      }
      logger.warn({ signal }, `${signal} again: exiting at once`);
      source.exit(128 + constants.signals[signal]);
    };
    for (const signal of SIGNALS) source.on(signal, onSignal);
  });
}
