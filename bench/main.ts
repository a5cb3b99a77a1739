/**
 * `npm run bench [-- --full] [-- --only W1,W4,…]`: issue 8's workloads
 * W1–W10, each next to a raw baseline measured in the same run, then idle
 * memory, issue 10's 1, 2 and 3 processes on one PostgreSQL database
 * (DATABASE_URL; unreachable fails that part) and the component
 * benchmarks. The server under test and the raw baselines run in child
 * processes, each with a core of its own while the clients use this one.
 * Prints the markdown report and writes bench/results/bench.{json,md}
 * (report.ts), with a statement of which targets were met.
 *
 * Quick mode (the default) finishes in about five minutes on a 2-core
 * machine (3½ for issue 8's parts, one or two for the processes); `--full`
 * runs the sizes of issue 8 and longer rounds (about a quarter of an
 * hour). `--only` runs some parts (by id: W1 … W10, idle, processes,
 * components); the others' targets are then reported unmeasured.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  benchComponents,
  componentTimingByMode,
  componentsMarkdown,
} from './components.ts';
import { environment } from './environment.ts';
import { benchReport, reportMarkdown, writeReport } from './report.ts';
import type { Target } from './target.ts';
import { type Mode, timingByMode } from './timing.ts';
import {
  type Workload,
  type WorkloadOutcome,
  runWorkload,
  skippedTargets,
} from './workload.ts';
import {
  benchContendedWrites,
  contendedWritesMarkdown,
} from './workloads/contended-writes.ts';
import { idleServerWorkload } from './workloads/idle-server.ts';
import { benchProcesses, processesMarkdown } from './workloads/processes.ts';
import {
  benchInsertMutations,
  insertMutationsMarkdown,
  insertMutationsTargets,
} from './workloads/insert-mutations.ts';
import {
  benchQueryRoundTrip,
  queryRoundTripMarkdown,
} from './workloads/query-round-trip.ts';
import {
  benchSubscriberLatency,
  subscriberLatencyMarkdown,
  subscriberLatencyTargets,
} from './workloads/subscriber-latency.ts';
import {
  benchHeldSessions,
  heldSessionsMarkdown,
  heldSessionsTargets,
} from './workloads/held-sessions.ts';
import { benchHttpCalls, httpCallsMarkdown } from './workloads/http-calls.ts';
import {
  benchLargeResultFanOut,
  largeResultFanOutMarkdown,
} from './workloads/large-result-fan-out.ts';
import {
  benchSubscriberFanOut,
  subscriberFanOutMarkdown,
  subscriberFanOutTargets,
} from './workloads/subscriber-fan-out.ts';
import {
  benchTransfers,
  transfersMarkdown,
  transfersTargets,
} from './workloads/transfers.ts';
import {
  benchUnrelatedSubscriptions,
  unrelatedSubscriptionsMarkdown,
  unrelatedSubscriptionsTargets,
} from './workloads/unrelated-subscriptions.ts';
import { samplesByMode } from './workloads/update-latency.ts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    full: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const mode: Mode = values.full ? 'full' : 'quick';
const full = mode === 'full';
const timing = timingByMode[mode];
const samples = samplesByMode[mode];

const workloads: Workload<unknown>[] = [
  {
    id: 'W1',
    title: 'query round trip, uncached and cached, vs raw uWS echo',
    run: () => benchQueryRoundTrip({ full, timing }),
    markdown: queryRoundTripMarkdown,
  },
  {
    id: 'W2',
    title: 'single-insert mutation vs raw SQLite commit floor and echo+commit',
    run: () => benchInsertMutations({ timing }),
    markdown: insertMutationsMarkdown,
    targets: insertMutationsTargets,
  },
  {
    id: 'W3',
    title: 'contended read-modify-write of one document, 16 clients',
    run: () => benchContendedWrites({ timing }),
    markdown: contendedWritesMarkdown,
  },
  {
    id: 'W4',
    title: 'mutation-to-subscriber latency vs raw uWS relay',
    run: () => benchSubscriberLatency({ samples }),
    markdown: subscriberLatencyMarkdown,
    targets: subscriberLatencyTargets,
  },
  {
    id: 'W5',
    title: 'one write fanned out to N subscribers vs raw uWS publish',
    run: () => benchSubscriberFanOut({ full }),
    markdown: subscriberFanOutMarkdown,
    targets: subscriberFanOutTargets,
  },
  {
    id: 'W6',
    title: 'W4 with 10,000 unrelated subscriptions on the same index',
    run: () => benchUnrelatedSubscriptions({ full, samples }),
    markdown: unrelatedSubscriptionsMarkdown,
    targets: unrelatedSubscriptionsTargets,
  },
  {
    id: 'W7',
    title: 'server memory per session and per subscription, 10,000 sessions',
    run: () => benchHeldSessions(),
    markdown: heldSessionsMarkdown,
    targets: heldSessionsTargets,
  },
  {
    id: 'W8',
    title: 'HTTP API and HTTP actions vs a raw uWS HTTP route',
    run: () => benchHttpCalls({ timing }),
    markdown: httpCallsMarkdown,
  },
  {
    id: 'W9',
    title: 'a 100-document result sent to 100 subscribers on each write',
    run: () => benchLargeResultFanOut({ full }),
    markdown: largeResultFanOutMarkdown,
  },
  {
    id: 'W10',
    title: 'transfers from 64 clients, uniform and 80% contended',
    run: () => benchTransfers({ timing }),
    markdown: transfersMarkdown,
    targets: transfersTargets,
  },
  idleServerWorkload(full),
  {
    id: 'processes',
    title: '1, 2 and 3 processes on one PostgreSQL database',
    run: () => benchProcesses({ timing, samples }),
    markdown: processesMarkdown,
  },
  {
    id: 'components',
    title: 'component benchmarks, each layer against its own floor',
    run: () => benchComponents(componentTimingByMode[mode]),
    markdown: componentsMarkdown,
  },
];

const only = values.only?.split(',').map((id) => id.trim());
const unknown = only?.filter((id) => !workloads.some((w) => w.id === id));
if (unknown && unknown.length > 0)
  throw new Error(
    `--only: no part ${unknown.join(', ')}; the parts are ${workloads.map((w) => w.id).join(', ')}`,
  );
const env = environment(mode);
process.stderr.write(`bench, ${mode} mode\n`);
const start = performance.now();
const outcomes: WorkloadOutcome[] = [];
const targets: Target[] = [];
for (const workload of workloads) {
  if (only && !only.includes(workload.id)) {
    targets.push(...skippedTargets(workload));
    continue;
  }
  const outcome = await runWorkload(workload);
  outcomes.push(outcome);
  targets.push(...outcome.targets);
}
const report = benchReport(
  env,
  (performance.now() - start) / 1000,
  outcomes,
  targets,
);
const markdown = reportMarkdown(report, outcomes);
const dir = writeReport(report, markdown);
console.log(markdown);
process.stderr.write(`written to ${dir}bench.{json,md}\n`);
