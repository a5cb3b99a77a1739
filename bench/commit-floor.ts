/**
 * The raw SQLite commit floor (baselines/raw-commit-floor.ts), measured in
 * a child process of its own: single-row insert transactions per second on
 * one thread, the median of its rounds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './measure.ts';
import { spawnTsx } from './tsx-child.ts';

export interface CommitFloor {
  commitsPerSecond: number;
  rounds: number[];
  cpuMsPerCommit: number;
}

export async function measureCommitFloor(options: {
  roundMs: number;
  rounds: number;
}): Promise<CommitFloor> {
  const data = mkdtempSync(join(tmpdir(), 'converge-bench-floor-'));
  const child = spawnTsx('./baselines/raw-commit-floor.ts', [
    ...['--data', data],
    ...['--ms', String(options.roundMs), '--rounds', String(options.rounds)],
  ]);
  try {
    const [line] = await child.line(/^\{.*\}$/);
    const parsed = JSON.parse(line) as {
      commitsPerSecond: number[];
      cpuMsPerCommit: number;
    };
    return {
      commitsPerSecond: median(parsed.commitsPerSecond),
      rounds: parsed.commitsPerSecond,
      cpuMsPerCommit: parsed.cpuMsPerCommit,
    };
  } finally {
    await child.stop();
    rmSync(data, { recursive: true, force: true });
  }
}
