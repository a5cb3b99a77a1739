import { expect, test } from 'vitest';
import { ConflictLanes } from './conflict-lanes.ts';

/** A piece of work that records when it starts and ends, and ends when told. */
function step(log: string[], name: string) {
  let finish = (): void => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    work: async () => {
      log.push(`${name} starts`);
      await finished;
      log.push(`${name} ends`);
      return name;
    },
    finish,
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('reruns on one document take turns; reruns on another do not wait for them', async () => {
  const lanes = new ConflictLanes();
  const log: string[] = [];
  const first = step(log, 'a1');
  const second = step(log, 'a2');
  const other = step(log, 'b1');

  const runs = [
    lanes.run('accounts:a', first.work),
    lanes.run('accounts:a', second.work),
    lanes.run('accounts:b', other.work),
  ];
  await settle();
  expect(log).toEqual(['a1 starts', 'b1 starts']);

  first.finish();
  await settle();
  expect(log).toEqual(['a1 starts', 'b1 starts', 'a1 ends', 'a2 starts']);

  second.finish();
  other.finish();
  expect(await Promise.all(runs)).toEqual(['a1', 'a2', 'b1']);
  expect(lanes.size).toBe(0);
});

test('an exclusive rerun waits for every lane, and lanes wait for it', async () => {
  const lanes = new ConflictLanes();
  const log: string[] = [];
  const inLane = step(log, 'lane a');
  const alone = step(log, 'alone');
  const later = step(log, 'lane b');

  const runs = [
    lanes.run('accounts:a', inLane.work),
    lanes.exclusive(alone.work),
    lanes.run('accounts:b', later.work),
  ];
  await settle();
  expect(log).toEqual(['lane a starts']);

  inLane.finish();
  await settle();
  expect(log).toEqual(['lane a starts', 'lane a ends', 'alone starts']);

  alone.finish();
  await settle();
  expect(log.slice(3)).toEqual(['alone ends', 'lane b starts']);

  later.finish();
  await Promise.all(runs);
});

test('a failing run still hands the lane on', async () => {
  const lanes = new ConflictLanes();
  const failing = lanes.run('accounts:a', () =>
    Promise.reject(new Error('boom')),
  );
  const next = lanes.run('accounts:a', () => Promise.resolve('next ran'));
  await expect(failing).rejects.toThrow('boom');
  expect(await next).toBe('next ran');
});
