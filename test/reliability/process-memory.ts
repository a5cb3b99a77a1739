/**
 * A process's memory as Linux reports it in `/proc/<pid>/status`: for a
 * server in a child process, free of the clients that load it from the
 * test's own process.
 */
import { readFileSync } from 'node:fs';

export interface Memory {
  /** The resident set now, in bytes (VmRSS). */
  rssBytes: number;
  /** The largest resident set so far, in bytes (VmHWM). */
  peakRssBytes: number;
}

export function processMemory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!match?.[1]) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(match[1]) * 1024;
  };
  return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
}
