/**
 * Where and when a bench run happened, recorded with its figures: the
 * machine (cores, CPU, memory, load when the run began), Node, the
 * uWebSockets.js build, and the commit measured (with whether the working
 * tree had changes on top of it).
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { uwsTransport } from '../src/ws/uws.ts';
import type { Mode } from './timing.ts';

export interface Environment {
  mode: Mode;
  date: string;
  node: string;
  cpu: string;
  cores: number;
  memoryBytes: number;
  /** The 1-minute load average when the run began: other work on the machine shows here. */
  loadAverageAtStart: number;
  uws: string;
  commit: string;
  workingTreeChanged: boolean;
}

export function environment(mode: Mode): Environment {
  return {
    mode,
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryBytes: totalmem(),
    loadAverageAtStart: loadavg()[0] ?? Number.NaN,
    uws: uwsTransport,
    commit: git(['rev-parse', '--short', 'HEAD']),
    workingTreeChanged: git(['status', '--porcelain']) !== '',
  };
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}
