/**
 * The raw SQLite commit floor (W2): single-row insert transactions per
 * second (raw-sqlite.ts), back to back on one thread, in a child process of
 * its own like the servers (`node --import tsx
 * bench/baselines/raw-commit-floor.ts --data DIR --ms N --rounds R`).
 * After a warm-up of one round it prints one JSON line:
 * `{"commitsPerSecond":[…one per round],"cpuMsPerCommit":…}`.
 */
import { hrtime } from 'node:process';
import { parseArgs } from 'node:util';
import { openRawSqlite } from './raw-sqlite.ts';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    ms: { type: 'string' },
    rounds: { type: 'string' },
  },
});
if (values.data === undefined) throw new Error('raw-commit-floor: --data DIR');
const roundMs = Number(values.ms ?? 1000);
const rounds = Number(values.rounds ?? 3);
const sqlite = openRawSqlite(values.data);

/** Commits between two reads of the clock, so that reading it costs nothing measurable. */
const COMMITS_PER_CLOCK_READ = 64;

function timedCommits(ms: number): { commits: number; seconds: number } {
  const budget = BigInt(Math.round(ms * 1e6));
  const start = hrtime.bigint();
  let commits = 0;
  let elapsed = 0n;
  do {
    for (let i = 0; i < COMMITS_PER_CLOCK_READ; i++) sqlite.commitOne();
    commits += COMMITS_PER_CLOCK_READ;
    elapsed = hrtime.bigint() - start;
  } while (elapsed < budget);
  return { commits, seconds: Number(elapsed) / 1e9 };
}

timedCommits(roundMs);
const cpuBefore = process.cpuUsage();
const results: number[] = [];
let commits = 0;
for (let round = 0; round < rounds; round++) {
  const timed = timedCommits(roundMs);
  results.push(timed.commits / timed.seconds);
  commits += timed.commits;
}
const cpu = process.cpuUsage(cpuBefore);
sqlite.close();
process.stdout.write(
  `${JSON.stringify({
    commitsPerSecond: results,
    cpuMsPerCommit: (cpu.user + cpu.system) / 1000 / commits,
  })}\n`,
);
