import { cronJobs, makeFunctionReference } from 'convex/server';

const tick = makeFunctionReference<'mutation', { n: number }>('jobs:tick');

const crons = cronJobs();
crons.daily('nightly', { hourUTC: 3, minuteUTC: 30 }, tick, { n: 0 });
crons.weekly(
  'weekly report',
  { dayOfWeek: 'monday', hourUTC: 9, minuteUTC: 0 },
  tick,
  { n: 7 },
);
export default crons;
