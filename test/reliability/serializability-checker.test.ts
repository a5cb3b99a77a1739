/**
 * The serializability checker, fed hand-written histories: one that a
 * serial order explains passes, and each classic anomaly is caught and
 * named with the operations that show it. A checker that cannot fail
 * proves nothing about the server; these prove that it can.
 */
import { describe, expect, test } from 'vitest';
import { Draw } from '../differential/draw.ts';
import {
  type Anomaly,
  type AnomalyKind,
  type History,
  type Query,
  type Registers,
  type Transaction,
  checkSerializability,
  describeAnomalies,
} from './serializability-checker.ts';

function committed(
  id: string,
  reads: Registers,
  appends: Record<string, string>,
): Transaction {
  return { id, status: 'committed', reads, appends };
}

function history(parts: Partial<History>): History {
  return {
    transactions: [],
    queries: [],
    subscriptions: [],
    sessions: [],
    ...parts,
  };
}

function anomaliesOf(checked: History): Anomaly[] {
  return checkSerializability(checked).anomalies;
}

function found(anomalies: readonly Anomaly[], kind: AnomalyKind): Anomaly {
  const anomaly = anomalies.find((candidate) => candidate.kind === kind);
  if (anomaly === undefined)
    throw new Error(
      `no ${kind} among:\n${describeAnomalies(anomalies) || '(none)'}`,
    );
  return anomaly;
}

test('a history that a serial order explains passes, with what it checked', () => {
  // Serially: t1 (x+a), t2 (x+b, y+b), t3 (y+c), t4 reads both; one client runs t1 then q1 then t3.
  const valid = history({
    transactions: [
      committed('t1', { x: [] }, { x: 'a' }),
      committed('t2', { x: ['a'], y: [] }, { x: 'b', y: 'b' }),
      committed('t3', { y: ['b'] }, { y: 'c' }),
      committed('t4', { x: ['a', 'b'], y: ['b', 'c'] }, {}),
      { id: 't5', status: 'failed', reads: {}, appends: { x: 'e' } },
      { id: 't6', status: 'unknown', reads: {}, appends: { y: 'f' } },
    ],
    queries: [{ id: 'q1', registers: { x: ['a'], y: [] } }],
    subscriptions: [
      {
        id: 's1',
        values: [
          { x: [], y: [] },
          { x: ['a', 'b'], y: ['b'] },
          { x: ['a', 'b'], y: ['b'] },
          { x: ['a', 'b'], y: ['b', 'c'] },
        ],
      },
    ],
    sessions: [['t1', 'q1', 't3'], ['t2', 't5', 't4'], ['t6']],
    final: { x: ['a', 'b'], y: ['b', 'c'] },
  });

  const result = checkSerializability(valid);

  expect(describeAnomalies(result.anomalies)).toBe('');
  expect(result.checked).toMatchObject({
    committed: 4,
    failed: 1,
    queries: 1,
    snapshots: 4,
  });
  expect(result.checked.edges).toBeGreaterThan(10);
});

test('a write whose outcome was unknown may be seen, and then is ordered like any other', () => {
  const unknownSeen = history({
    transactions: [
      { id: 't1', status: 'unknown', reads: {}, appends: { x: 'a' } },
      committed('t2', { x: ['a'] }, { x: 'b' }),
    ],
    final: { x: ['a', 'b'] },
  });

  expect(anomaliesOf(unknownSeen)).toEqual([]);
});

/**
 * A history that really was serial: clients take turns running whole
 * transactions against one state, some fail without effect, queries read a
 * few keys, and two subscriptions now and then deliver the current state.
 */
function serialHistory(seed: number): History {
  const draw = new Draw(seed);
  const keys = ['x', 'y', 'z', 'w'];
  const state = new Map(keys.map((key) => [key, [] as string[]]));
  const snapshot = (of: readonly string[]): Registers =>
    Object.fromEntries(of.map((key) => [key, [...(state.get(key) ?? [])]]));
  const some = (): string[] => keys.filter(() => draw.chance(0.5));
  const transactions: Transaction[] = [];
  const queries: Query[] = [];
  const sessions: string[][] = [[], [], []];
  const subscriptions = [
    { id: 's0', values: [] as Registers[] },
    { id: 's1', values: [] as Registers[] },
  ];
  for (let step = 0; step < 60; step += 1) {
    const client = draw.int(0, sessions.length - 1);
    const id = `c${client}.${step}`;
    sessions[client]?.push(id);
    if (draw.chance(0.2)) {
      queries.push({ id, registers: snapshot(some()) });
    } else {
      const appends = some();
      const reads = [...new Set([...some(), ...appends])];
      const appended = Object.fromEntries(appends.map((key) => [key, id]));
      if (draw.chance(0.1)) {
        transactions.push({
          id,
          status: 'failed',
          reads: {},
          appends: appended,
        });
      } else {
        transactions.push(committed(id, snapshot(reads), appended));
        for (const key of appends) state.get(key)?.push(id);
      }
    }
    for (const subscription of subscriptions)
      if (draw.chance(0.3)) subscription.values.push(snapshot(keys));
  }
  return {
    transactions,
    queries,
    subscriptions,
    sessions,
    final: snapshot(keys),
  };
}

test('any history a serial execution produced passes (300 seeded histories)', () => {
  for (let seed = 1; seed <= 300; seed += 1)
    expect(
      describeAnomalies(anomaliesOf(serialHistory(seed))),
      `seed ${seed}`,
    ).toBe('');
});

describe('each anomaly is caught and named', () => {
  test('lost update: two transactions read the same x and both append to it', () => {
    const lostUpdate = history({
      transactions: [
        committed('t1', { x: [] }, { x: 'a' }),
        committed('t2', { x: [] }, { x: 'b' }),
      ],
      final: { x: ['a', 'b'] },
    });

    const anomaly = found(anomaliesOf(lostUpdate), 'lost-update');

    expect(anomaly.involved.sort()).toEqual(['t1', 't2']);
    expect(anomaly.explanation).toContain('t2 -rw(x)-> t1');
  });

  test('write skew (G2): each reads both keys and writes the one the other did not', () => {
    const writeSkew = history({
      transactions: [
        committed('t1', { x: [], y: [] }, { x: 'a' }),
        committed('t2', { x: [], y: [] }, { y: 'b' }),
      ],
      final: { x: ['a'], y: ['b'] },
    });

    const anomalies = anomaliesOf(writeSkew);

    expect(found(anomalies, 'write-skew').involved.sort()).toEqual([
      't1',
      't2',
    ]);
    expect(anomalies.map(({ kind }) => kind)).toEqual(['write-skew']);
  });

  test('G2 among three: a ring of anti-dependencies', () => {
    const ring = history({
      transactions: [
        committed('t1', { x: [], y: [] }, { x: 'a' }),
        committed('t2', { y: [], z: [] }, { y: 'b' }),
        committed('t3', { z: [], x: [] }, { z: 'c' }),
      ],
      final: { x: ['a'], y: ['b'], z: ['c'] },
    });

    const anomaly = found(anomaliesOf(ring), 'G2');

    expect(anomaly.involved.sort()).toEqual(['t1', 't2', 't3']);
  });

  test('fractured read: a query sees a transaction append to x but not to y', () => {
    const fractured = history({
      transactions: [committed('t1', { x: [], y: [] }, { x: 'a', y: 'a' })],
      queries: [{ id: 'q1', registers: { x: ['a'], y: [] } }],
      final: { x: ['a'], y: ['a'] },
    });

    const anomaly = found(anomaliesOf(fractured), 'fractured-read');

    expect(anomaly.involved).toEqual(['q1', 't1']);
    expect(anomaly.explanation).toContain('but not its append of a to y');
  });

  test('read skew (G-single): a snapshot sees a later write and misses an earlier one it depends on', () => {
    // t2 read t1's x before appending to y; the snapshot sees t2's y but still the old x.
    const readSkew = history({
      transactions: [
        committed('t1', { x: [] }, { x: 'a' }),
        committed('t2', { x: ['a'], y: [] }, { y: 'b' }),
      ],
      subscriptions: [{ id: 's1', values: [{ x: [], y: ['b'] }] }],
      final: { x: ['a'], y: ['b'] },
    });

    const anomaly = found(anomaliesOf(readSkew), 'G-single');

    expect(anomaly.involved.sort()).toEqual(['s1@0', 't1', 't2']);
  });

  test('a non-monotonic subscription: a later value forgets what an earlier one showed', () => {
    const goesBack = history({
      transactions: [committed('t1', { x: [] }, { x: 'a' })],
      subscriptions: [
        { id: 's1', values: [{ x: [] }, { x: ['a'] }, { x: [] }] },
      ],
      final: { x: ['a'] },
    });

    const anomaly = found(anomaliesOf(goesBack), 'non-monotonic-subscription');

    expect(anomaly.involved).toEqual(['s1@1', 's1@2']);
    expect(anomaly.explanation).toBe('s1 delivered x = [a], then x = []');
  });

  test('a stale read in one session: a client does not see its own committed append', () => {
    const stale = history({
      transactions: [committed('t1', { x: [] }, { x: 'a' })],
      queries: [{ id: 'q1', registers: { x: [] } }],
      sessions: [['t1', 'q1']],
      final: { x: ['a'] },
    });

    const anomaly = found(anomaliesOf(stale), 'G-single');

    expect(anomaly.explanation).toContain('t1 -session-> q1');
  });

  test("a subscription that, after its client's mutation returned, still does not show it", () => {
    const unreflected = history({
      transactions: [committed('t1', { x: [] }, { x: 'a' })],
      subscriptions: [{ id: 's1', values: [{ x: [] }, { x: [], y: [] }] }],
      sessions: [['s1@0', 't1', 's1@1']],
      final: { x: ['a'] },
    });

    const anomaly = found(anomaliesOf(unreflected), 'G-single');

    expect(anomaly.explanation).toContain('t1 -session-> s1@1');
    expect(anomaly.explanation).toContain('s1@1 -rw(x)-> t1');
  });

  test('a duplicated append: one token twice in a list', () => {
    const duplicated = history({
      transactions: [committed('t1', { x: [] }, { x: 'a' })],
      final: { x: ['a', 'a'] },
    });

    const anomaly = found(anomaliesOf(duplicated), 'duplicated-append');

    expect(anomaly.involved).toEqual(['final', 't1']);
  });

  test('a read of a value never written (phantom write)', () => {
    const phantom = history({
      transactions: [committed('t1', { x: [] }, { x: 'a' })],
      queries: [{ id: 'q1', registers: { x: ['z'] } }],
    });

    const anomaly = found(anomaliesOf(phantom), 'phantom-write');

    expect(anomaly.explanation).toBe(
      'q1 read z in x, which no transaction appended to x',
    );
  });

  test('a lost write: a committed append missing from the final state', () => {
    const lost = history({
      transactions: [
        committed('t1', { x: [] }, { x: 'a' }),
        committed('t2', { x: ['a'] }, { x: 'b' }),
      ],
      final: { x: ['a'] },
    });

    const anomaly = found(anomaliesOf(lost), 'lost-write');

    expect(anomaly.involved).toEqual(['t2', 'final']);
  });

  test('an aborted read (G1a): the append of a failed transaction is seen', () => {
    const aborted = history({
      transactions: [
        { id: 't1', status: 'failed', reads: {}, appends: { x: 'a' } },
      ],
      queries: [{ id: 'q1', registers: { x: ['a'] } }],
    });

    expect(found(anomaliesOf(aborted), 'aborted-read').involved).toEqual([
      'q1',
      't1',
    ]);
  });

  test('incompatible orders: two reads no single order of appends explains', () => {
    const diverged = history({
      transactions: [
        committed('t1', { x: [] }, { x: 'a' }),
        committed('t2', { x: [] }, { x: 'b' }),
      ],
      queries: [
        { id: 'q1', registers: { x: ['a'] } },
        { id: 'q2', registers: { x: ['b', 'a'] } },
      ],
    });

    expect(found(anomaliesOf(diverged), 'incompatible-order').involved).toEqual(
      ['q1', 'q2'],
    );
  });

  test('circular information flow (G1c): two transactions each see the other', () => {
    const circular = history({
      transactions: [
        committed('t1', { x: [], y: ['b'] }, { x: 'a' }),
        committed('t2', { x: ['a'], y: [] }, { y: 'b' }),
      ],
      final: { x: ['a'], y: ['b'] },
    });

    expect(found(anomaliesOf(circular), 'G1c').involved.sort()).toEqual([
      't1',
      't2',
    ]);
  });

  test('a write cycle (G0): two transactions order their appends oppositely on two keys', () => {
    const writeCycle = history({
      transactions: [
        committed('t1', { x: [], y: [] }, { x: 'a', y: 'a' }),
        committed('t2', { x: [], y: [] }, { x: 'b', y: 'b' }),
      ],
      final: { x: ['a', 'b'], y: ['b', 'a'] },
    });

    expect(found(anomaliesOf(writeCycle), 'G0').involved.sort()).toEqual([
      't1',
      't2',
    ]);
  });
});

test('two transactions appending the same token make a broken history, not a verdict', () => {
  const clash = history({
    transactions: [
      committed('t1', { x: [] }, { x: 'a' }),
      committed('t2', { x: ['a'] }, { x: 'a' }),
    ],
  });

  expect(() => checkSerializability(clash)).toThrow(
    't1 and t2 both append a to x',
  );
});
