import { expect, test } from 'vitest';
import { LoopBudget } from './loop-budget.ts';

/** Busy-waits: work that takes `ms` of the thread. */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

test('work chained on promises gives the event loop a turn once the budget is spent', async () => {
  const budget = new LoopBudget(5);
  let turns = 0;
  const counting = setInterval(() => (turns += 1), 0);
  let chain = Promise.resolve();
  // Twenty 1 ms pieces, each started by the one before, as queued
  // mutations are: without the budget no timer could run between them.
  for (let i = 0; i < 20; i++)
    chain = chain.then(async () => {
      await budget.yieldIfSpent();
      spin(1);
    });
  const seenBefore = turns;
  await chain;
  clearInterval(counting);
  expect(seenBefore).toBe(0);
  // About one yield per 5 ms of the 20 ms of work, and a timer ran in between.
  expect(turns).toBeGreaterThanOrEqual(2);
});

test('work within the budget does not wait for the event loop', async () => {
  const budget = new LoopBudget(1_000);
  let timerRan = false;
  const timer = setImmediate(() => (timerRan = true));
  for (let i = 0; i < 100; i++) await budget.yieldIfSpent();
  expect(timerRan).toBe(false);
  clearImmediate(timer);
});
