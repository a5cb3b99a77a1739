/**
 * The server's logger: pino, made here and handed down. It writes JSON
 * lines to stderr, one record per event, for whatever collects the logs;
 * when stderr is a terminal, the same records as short readable lines.
 * stdout carries only the banner.
 *
 * The layers below the CLI never see pino: they take a `Log`, a function of
 * a level and a message, which `logTo` makes from a logger.
 */
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/** What the sync worker, the HTTP layer and the runtime's callbacks log through. */
export type Log = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface LoggerOptions {
  /** Where the JSON lines go; stderr (readable if a terminal) when absent. */
  destination?: DestinationStream;
  /** The least severe level written; `info` when absent. */
  level?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination =
    options.destination ??
    (process.stderr.isTTY
      ? readableLines(process.stderr)
      : pino.destination({ dest: 2, sync: true }));
  return pino(
    { level: options.level ?? 'info', base: { pid: process.pid } },
    destination,
  );
}

/** The tiny logging interface of the lower layers, over a logger. */
export function logTo(logger: Logger): Log {
  return (level, message) => logger[level](message);
}

/** pino's numeric levels, by name, for readable lines. */
const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** Records as `12:00:00 INFO  message key=value`, for a person at a terminal. */
export function readableLines(out: {
  write(text: string): unknown;
}): DestinationStream {
  return {
    write(line: string) {
      const {
        level,
        time,
        msg,
        pid: _pid,
        ...fields
      } = JSON.parse(line) as Record<string, unknown>;
      const clock = new Date(Number(time)).toTimeString().slice(0, 8);
      const name = (LEVEL_NAMES[Number(level)] ?? String(level)).padEnd(5);
      let inline = '';
      let below = '';
      // A multi-line text (a build error, a stack) reads best as it is, under the line.
      for (const [key, value] of Object.entries(fields))
        if (typeof value === 'string' && value.includes('\n'))
          below += `  ${key}:\n    ${value.trimEnd().replaceAll('\n', '\n    ')}\n`;
        else inline += ` ${key}=${JSON.stringify(value)}`;
      const message = typeof msg === 'string' ? msg : JSON.stringify(msg);
      out.write(`${clock} ${name} ${message ?? ''}${inline}\n${below}`);
    },
  };
}
