/**
 * What a process has used so far, read from Linux's /proc: CPU time (user
 * plus system, all threads) and resident memory. The bench reads the server
 * under test and the baseline server this way, before and after each
 * measured phase, so that each figure comes with the server's CPU time per
 * operation; its own process it reads with `process.cpuUsage()`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** USER_HZ, the unit of /proc's CPU times: 100 on every Linux we know, but asked, not assumed. */
function clockTicksPerSecond(): number {
  ticksPerSecond ??= Number(
    execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim(),
  );
  return ticksPerSecond;
}

/** CPU milliseconds `pid` has used, user and system, all its threads. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses; fields after it are plain.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5), 11 and 12 after the name.
  const ticks = Number(fields[11]) + Number(fields[12]);
  if (!Number.isFinite(ticks)) throw new Error(`unreadable /proc/${pid}/stat`);
  return (ticks * 1000) / clockTicksPerSecond();
}

/** The resident set of `pid` in bytes (VmRSS). */
export function processRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kib) * 1024;
}

/** CPU milliseconds this process has used, user and system. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
