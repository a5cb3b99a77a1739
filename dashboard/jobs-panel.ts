/**
 * The scheduled functions and crons of the Health page, live through the
 * official client: the first JOBS_SHOWN scheduled functions as Convex lists
 * them (unfinished ones soonest first, then finished ones latest first,
 * `_system/frontend/paginatedScheduledJobs`), and every declared cron with
 * its schedule, next run and last run's outcome
 * (`_system/frontend/listCronJobs`).
 */
import type { ConvexClient } from 'convex/browser';
import { nanosecondsText, scheduleText } from './cron-text.ts';
import { element, replaceChildren } from './element.ts';
import { errorText } from './error-text.ts';
import {
  type CronJob,
  type ScheduledJob,
  listCronJobs,
  paginatedScheduledJobs,
} from './system-api.ts';
import { cellText } from './value-text.ts';

/** Jobs listed: the pending ones and the latest outcomes fit a screen. */
const JOBS_SHOWN = 50;

export function jobsPanel(client: ConvexClient): {
  node: HTMLElement;
  dispose: () => void;
} {
  const jobs = element('tbody', {});
  const crons = element('tbody', {});
  const problem = element('p', { class: 'error', role: 'alert' });
  const failed = (error: Error) => {
    problem.textContent = errorText(error);
  };
  const stopJobs = client.onUpdate(
    paginatedScheduledJobs,
    { paginationOpts: { numItems: JOBS_SHOWN, cursor: null }, udfPath: null },
    ({ page }) => replaceChildren(jobs, ...page.map(jobRow)),
    failed,
  );
  const stopCrons = client.onUpdate(
    listCronJobs,
    {},
    (list) => replaceChildren(crons, ...list.map(cronRow)),
    failed,
  );
  const table = (
    label: string,
    headings: string[],
    body: HTMLElement,
  ): HTMLElement =>
    element(
      'table',
      { class: 'jobs-table', 'aria-label': label },
      element(
        'thead',
        {},
        element('tr', {}, ...headings.map((h) => element('th', {}, h))),
      ),
      body,
    );
  return {
    node: element(
      'section',
      { class: 'jobs' },
      element('h2', {}, 'Scheduled functions'),
      table(
        'Scheduled functions',
        ['function', 'arguments', 'due', 'state', 'finished'],
        jobs,
      ),
      element('h2', {}, 'Crons'),
      table(
        'Crons',
        ['name', 'function', 'schedule', 'next run', 'last run'],
        crons,
      ),
      problem,
    ),
    dispose: () => {
      stopJobs();
      stopCrons();
    },
  };
}

function jobRow(job: ScheduledJob): HTMLElement {
  return element(
    'tr',
    { 'data-state': job.state.kind },
    element('td', {}, job.name),
    element('td', {}, cellText(job.args[0])),
    element('td', {}, new Date(job.scheduledTime).toISOString()),
    element(
      'td',
      { 'data-field': 'state' },
      job.state.kind === 'failed'
        ? `failed: ${job.state.error}`
        : job.state.kind,
    ),
    element(
      'td',
      {},
      job.completedTime === undefined
        ? ''
        : new Date(job.completedTime).toISOString(),
    ),
  );
}

function cronRow(cron: CronJob): HTMLElement {
  const last = cron.lastRun;
  return element(
    'tr',
    { 'data-cron': cron.name },
    element('td', {}, cron.name),
    element('td', {}, cron.cronSpec.udfPath),
    element(
      'td',
      { 'data-field': 'schedule' },
      scheduleText(cron.cronSpec.cronSchedule),
    ),
    element('td', { 'data-field': 'next' }, nanosecondsText(cron.nextTs)),
    element(
      'td',
      {},
      last === null
        ? cron.state.type === 'inProgress'
          ? 'running'
          : 'not yet'
        : `${nanosecondsText(last.ts)}: ${last.status.type === 'err' ? `failed: ${last.status.error}` : last.status.type}`,
    ),
  );
}
