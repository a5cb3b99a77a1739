/**
 * LogFilter: which runs the Logs page shows: by kind, by outcome, and by
 * text found in the function's path or any of its log lines (case
 * ignored). An empty filter shows everything.
 */
import type { LogEntry } from './log-tail.ts';

export interface LogFilter {
  kind: LogEntry['udfType'] | 'all';
  outcome: 'all' | 'success' | 'failure';
  text: string;
}

export const NO_FILTER: LogFilter = { kind: 'all', outcome: 'all', text: '' };

export function passesLogFilter(entry: LogEntry, filter: LogFilter): boolean {
  if (filter.kind !== 'all' && entry.udfType !== filter.kind) return false;
  const failed = entry.error !== null;
  if (filter.outcome === 'success' && failed) return false;
  if (filter.outcome === 'failure' && !failed) return false;
  const text = filter.text.trim().toLowerCase();
  if (text === '') return true;
  return [entry.identifier, entry.error ?? '', ...entry.logLines].some(
    (haystack) => haystack.toLowerCase().includes(text),
  );
}
