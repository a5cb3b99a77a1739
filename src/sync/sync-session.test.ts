import { expect, test } from 'vitest';
import type {
  AddQuery,
  ModifyQuerySet,
  QuerySetModification,
  StateVersion,
} from '../protocol/messages.ts';
import type { Timestamp } from '../protocol/timestamp.ts';
import type { Value } from '../protocol/values.ts';
import {
  type QueryResult,
  type SessionOutcome,
  SyncSession,
  type TransitionPlan,
} from './sync-session.ts';

const ZERO: StateVersion = { querySet: 0, identity: 0, ts: 0n };

function add(queryId: number, journal?: string | null): AddQuery {
  return {
    type: 'Add',
    queryId,
    udfPath: 'messages:list',
    args: [{ channel: `#${queryId}` }],
    ...(journal === undefined ? {} : { journal }),
  };
}

function remove(queryId: number): QuerySetModification {
  return { type: 'Remove', queryId };
}

function modify(
  baseVersion: number,
  newVersion: number,
  modifications: QuerySetModification[],
): ModifyQuerySet {
  return { type: 'ModifyQuerySet', baseVersion, newVersion, modifications };
}

function ok(
  value: Value,
  more: { logLines?: string[]; journal?: string | null } = {},
): QueryResult {
  return {
    success: true,
    value,
    logLines: more.logLines ?? [],
    journal: more.journal ?? null,
  };
}

function failed(errorMessage: string, errorData?: Value): QueryResult {
  return {
    success: false,
    errorMessage,
    logLines: [],
    journal: null,
    ...(errorData === undefined ? {} : { errorData }),
  };
}

/** Applies a message the test expects to be accepted. */
function accept(outcome: SessionOutcome): void {
  expect(outcome).toEqual({ success: true });
}

/** What the shell does: plan, run every planned query, complete at `ts`. */
function transition(
  session: SyncSession,
  ts: Timestamp,
  resultOf: (queryId: number) => QueryResult,
  options: { force: boolean } = { force: false },
) {
  const plan = session.planTransition();
  return session.completeTransition(plan, ts, results(plan, resultOf), options);
}

function results(
  plan: TransitionPlan,
  resultOf: (queryId: number) => QueryResult,
): Map<number, QueryResult> {
  return new Map(plan.queries.map((q) => [q.queryId, resultOf(q.queryId)]));
}

test('the first Transition starts at zero, and each next one where the last ended', () => {
  const session = new SyncSession();
  expect(session.version).toEqual(ZERO);
  accept(session.modifyQuerySet(modify(0, 1, [add(1)])));

  const first = transition(session, 10n, () => ok('hello'));
  expect(first).toEqual({
    type: 'Transition',
    startVersion: ZERO,
    endVersion: { querySet: 1, identity: 0, ts: 10n },
    modifications: [
      {
        type: 'QueryUpdated',
        queryId: 1,
        value: 'hello',
        logLines: [],
        journal: null,
      },
    ],
    clientClockSkew: null,
    serverTs: null,
  });

  // A commit changes the query's result.
  const second = transition(session, 20n, () => ok('hello again'));
  expect(second?.startVersion).toEqual(first?.endVersion);
  expect(second?.endVersion).toEqual({ querySet: 1, identity: 0, ts: 20n });
  expect(session.version).toEqual(second?.endVersion);
});

test('pipelined ModifyQuerySets before any Transition give one Transition to the latest', () => {
  const session = new SyncSession();
  // The client does not wait for Transitions: 0→1, 1→2, 2→3 arrive together.
  accept(session.modifyQuerySet(modify(0, 1, [add(1)])));
  accept(session.modifyQuerySet(modify(1, 2, [add(2)])));
  accept(session.modifyQuerySet(modify(2, 3, [remove(1)])));

  const next = transition(session, 5n, () => ok(null));
  expect(next?.startVersion).toEqual(ZERO);
  expect(next?.endVersion).toEqual({ querySet: 3, identity: 0, ts: 5n });
  expect(next?.modifications).toEqual([
    { type: 'QueryRemoved', queryId: 1 },
    {
      type: 'QueryUpdated',
      queryId: 2,
      value: null,
      logLines: [],
      journal: null,
    },
  ]);
});

test('the timestamp of a Transition never goes backwards', () => {
  const session = new SyncSession();
  accept(session.modifyQuerySet(modify(0, 1, [add(1)])));
  transition(session, 10n, () => ok(1n));

  // Results computed at an older snapshot still end at the latest ts sent.
  const next = transition(session, 7n, () => ok(2n));
  expect(next?.startVersion.ts).toBe(10n);
  expect(next?.endVersion.ts).toBe(10n);
});

test('a query added while a Transition is computed waits for the next one', () => {
  const session = new SyncSession();
  accept(session.modifyQuerySet(modify(0, 1, [add(1)])));
  const plan = session.planTransition();

  // 1→2 arrives while query 1 runs: this Transition still ends at 1.
  accept(session.modifyQuerySet(modify(1, 2, [add(2)])));
  const first = session.completeTransition(
    plan,
    10n,
    results(plan, () => ok('one')),
    { force: false },
  );
  expect(first?.endVersion.querySet).toBe(1);
  expect(first?.modifications.map((m) => m.queryId)).toEqual([1]);

  const second = transition(session, 10n, (id) => ok(id === 1 ? 'one' : 'two'));
  expect(second?.startVersion.querySet).toBe(1);
  expect(second?.endVersion.querySet).toBe(2);
  expect(second?.modifications.map((m) => m.queryId)).toEqual([2]);
});

test('a ModifyQuerySet not built on the last received version is fatal', () => {
  const session = new SyncSession();
  accept(session.modifyQuerySet(modify(0, 1, [add(1)])));

  // The base is the last version *received*, not the last one transitioned.
  expect(session.modifyQuerySet(modify(0, 1, [add(2)]))).toEqual({
    success: false,
    violation: {
      kind: 'fatal',
      message: expect.stringMatching(/^BaseVersionMismatch/) as string,
    },
  });
  expect(session.modifyQuerySet(modify(2, 3, [add(2)]))).toMatchObject({
    success: false,
    violation: { kind: 'fatal' },
  });

  // Nothing was applied: 1→2 still fits.
  accept(session.modifyQuerySet(modify(1, 2, [])));
  expect(session.planTransition()).toMatchObject({
    querySet: 2,
    queries: [{ queryId: 1 }],
  });
});

test('a duplicate add, an unknown remove or a version that does not advance is internal and changes nothing', () => {
  const session = new SyncSession();
  accept(session.modifyQuerySet(modify(0, 1, [add(1)])));

  const rejected: [ModifyQuerySet, RegExp][] = [
    [modify(1, 2, [add(1)]), /Duplicate query ID 1/],
    [modify(1, 2, [add(2), add(2)]), /Duplicate query ID 2/],
    [modify(1, 2, [remove(9)]), /Nonexistent query id 9/],
    [modify(1, 2, [remove(1), remove(1)]), /Nonexistent query id 1/],
    // The valid Add before the bad Remove is not applied either.
    [modify(1, 2, [add(3), remove(4)]), /Nonexistent query id 4/],
    [modify(1, 1, [add(5)]), /not after/],
    [modify(1, 0, [add(5)]), /not after/],
  ];
  for (const [message, reason] of rejected) {
    const outcome = session.modifyQuerySet(message);
    expect(outcome.success).toBe(false);
    if (outcome.success) continue;
    expect(outcome.violation.kind).toBe('internal');
    expect(outcome.violation.message).toMatch(reason);
  }

  const plan = session.planTransition();
  expect(plan.querySet).toBe(1);
  expect(plan.queries.map((q) => q.queryId)).toEqual([1]);
  expect(plan.removed).toEqual([]);
});

test('one ModifyQuerySet may add and remove, and only changed results are sent', () => {
  const session = new SyncSession();
  accept(session.modifyQuerySet(modify(0, 1, [add(1), add(2)])));
  transition(session, 10n, (id) => ok(`result ${id}`));

  accept(session.modifyQuerySet(modify(1, 2, [remove(1), add(3)])));
  const next = transition(session, 10n, (id) => ok(`result ${id}`));
  // Query 2 reran with the same result: not sent again.
  expect(next?.modifications).toEqual([
    { type: 'QueryRemoved', queryId: 1 },
    {
      type: 'QueryUpdated',
      queryId: 3,
      value: 'result 3',
      logLines: [],
      journal: null,
    },
  ]);
  expect(session.planTransition().queries.map((q) => q.queryId)).toEqual([
    2, 3,
  ]);
});

test('a query added and removed within one message never existed', () => {
  const session = new SyncSession();
  accept(session.modifyQuerySet(modify(0, 1, [add(1), remove(1)])));
  const next = transition(session, 1n, () => ok('never'));
  expect(next?.modifications).toEqual([]);
  expect(next?.endVersion.querySet).toBe(1);
});

test('an empty ModifyQuerySet still moves the query set version', () => {
  const session = new SyncSession();
  // What every reconnect of a client with no queries sends.
  accept(session.modifyQuerySet(modify(0, 1, [])));
  const next = transition(session, 3n, () => ok(null));
  expect(next).toMatchObject({
    startVersion: ZERO,
    endVersion: { querySet: 1, identity: 0, ts: 3n },
    modifications: [],
  });
});

test('a query removed while its result was computed is reported removed, not updated', () => {
  const session = new SyncSession();
  accept(session.modifyQuerySet(modify(0, 1, [add(1), add(2)])));
  const plan = session.planTransition();

  // The Remove arrives while both queries run.
  accept(session.modifyQuerySet(modify(1, 2, [remove(1)])));
  const first = session.completeTransition(
    plan,
    10n,
    results(plan, (id) => ok(`result ${id}`)),
    { force: false },
  );
  expect(first?.modifications.map((m) => [m.type, m.queryId])).toEqual([
    ['QueryUpdated', 2],
  ]);

  const second = transition(session, 10n, (id) => ok(`result ${id}`));
  expect(second?.modifications).toEqual([{ type: 'QueryRemoved', queryId: 1 }]);
  expect(second?.endVersion.querySet).toBe(2);
});

test('a query id removed and added again while its result was computed gets the new query’s result', () => {
  const session = new SyncSession();
  accept(session.modifyQuerySet(modify(0, 1, [add(1)])));
  const plan = session.planTransition();

  // While #1 runs, it is removed and its id added again for other arguments.
  accept(session.modifyQuerySet(modify(1, 2, [remove(1)])));
  accept(
    session.modifyQuerySet(
      modify(2, 3, [{ ...add(1), args: [{ channel: '#other' }] }]),
    ),
  );
  const first = session.completeTransition(
    plan,
    10n,
    results(plan, () => ok('same text')),
    { force: false },
  );
  expect(first?.modifications).toEqual([]);

  // The new query's result is sent, even though it equals the old one's.
  const second = transition(session, 10n, () => ok('same text'));
  expect(second?.modifications.map((m) => m.type)).toEqual([
    'QueryRemoved',
    'QueryUpdated',
  ]);
});

test('a plan covers only the queries not yet sent and the ones said to be stale', () => {
  const session = new SyncSession();
  accept(session.modifyQuerySet(modify(0, 1, [add(1), add(2)])));
  const first = session.planTransition(new Set());
  expect(first.queries.map((q) => q.queryId)).toEqual([1, 2]);
  session.completeTransition(
    first,
    10n,
    new Map([
      [1, ok(1)],
      [2, ok(2)],
    ]),
    {
      force: false,
    },
  );

  // Nothing stale and everything sent: the plan runs nothing at all.
  expect(session.planTransition(new Set()).queries).toEqual([]);
  // A commit touched query 2: only it reruns; a new query 3 joins it.
  accept(session.modifyQuerySet(modify(1, 2, [add(3)])));
  expect(
    session.planTransition(new Set([2])).queries.map((q) => q.queryId),
  ).toEqual([2, 3]);
});

test('a result is sent again when its value, log lines, error or journal change', () => {
  const session = new SyncSession();
  accept(session.modifyQuerySet(modify(0, 1, [add(1)])));
  transition(session, 1n, () => ok(1n));

  const changes: QueryResult[] = [
    ok(1), // a float is not the same value as an int64
    ok(1, { logLines: ['[LOG] hi'] }),
    failed('boom'),
    failed('bang'),
    failed('bang', { code: 42n }),
    failed('bang', { code: 43n }),
    ok(1, { logLines: ['[LOG] hi'], journal: 'page-end' }),
    ok([{ _id: 'a', n: 1n }], { logLines: ['[LOG] hi'], journal: 'page-end' }),
    ok([{ _id: 'a', n: 2n }], { logLines: ['[LOG] hi'], journal: 'page-end' }),
  ];
  let ts = 1n;
  for (const result of changes) {
    ts += 1n;
    const next = transition(session, ts, () => result);
    expect(next?.modifications).toHaveLength(1);
    expect(next?.endVersion.ts).toBe(ts);
  }
});

test('an unchanged rerun sends nothing unless forced, and nothing does not move the version', () => {
  const session = new SyncSession();
  accept(session.modifyQuerySet(modify(0, 1, [add(1)])));
  const sent = transition(session, 10n, () => ok('same'));
  const at = sent?.endVersion;

  // An unrelated commit reruns the query at 20 with the same result.
  expect(transition(session, 20n, () => ok('same'))).toBeNull();
  expect(session.version).toEqual(at);

  // A mutation committed at 30 is owed a Transition, even an empty one.
  const owed = transition(session, 30n, () => ok('same'), { force: true });
  expect(owed).toMatchObject({
    startVersion: at,
    endVersion: { querySet: 1, identity: 0, ts: 30n },
    modifications: [],
  });
});

test('a rerun that returns equal documents in new objects is no change; the Transition carries the result’s own value, uncopied', () => {
  const session = new SyncSession();
  accept(session.modifyQuerySet(modify(0, 1, [add(1)])));
  const documents = [{ _id: 'a', body: 'hi', likes: 3n }];
  const sent = transition(session, 1n, () => ok(documents));
  // The very object the hub handed over, so every session sharing the
  // result shares its encoding too.
  expect(sent?.modifications[0]).toMatchObject({ type: 'QueryUpdated' });
  expect(
    sent?.modifications[0]?.type === 'QueryUpdated' &&
      sent.modifications[0].value,
  ).toBe(documents);

  const rerun = [{ likes: 3n, body: 'hi', _id: 'a' }];
  expect(transition(session, 2n, () => ok(rerun))).toBeNull();
  expect(transition(session, 3n, () => failed('no', { n: 1n }))).not.toBeNull();
  expect(transition(session, 4n, () => failed('no', { n: 1n }))).toBeNull();
});

test('a journal from Add is kept, and a result’s journal becomes the query’s', () => {
  const session = new SyncSession();
  // A resubscribe after reconnect carries the last journal the server sent.
  accept(session.modifyQuerySet(modify(0, 1, [add(1, 'end:k7'), add(2)])));
  expect(
    session.planTransition().queries.map((q) => [q.queryId, q.journal]),
  ).toEqual([
    [1, 'end:k7'],
    [2, null],
  ]);

  transition(session, 1n, (id) =>
    ok([], { journal: id === 1 ? 'end:k7' : 'end:k9' }),
  );
  expect(
    session.planTransition().queries.map((q) => [q.queryId, q.journal]),
  ).toEqual([
    [1, 'end:k7'],
    [2, 'end:k9'],
  ]);
});

test('QueryFailed carries errorData only when the error has data', () => {
  const session = new SyncSession();
  accept(session.modifyQuerySet(modify(0, 1, [add(1), add(2)])));
  const next = transition(session, 1n, (id) =>
    id === 1 ? failed('Uncaught Error: boom') : failed('nope', { n: 1n }),
  );
  expect(next?.modifications).toEqual([
    {
      type: 'QueryFailed',
      queryId: 1,
      errorMessage: 'Uncaught Error: boom',
      logLines: [],
      journal: null,
    },
    {
      type: 'QueryFailed',
      queryId: 2,
      errorMessage: 'nope',
      logLines: [],
      journal: null,
      errorData: { n: 1n },
    },
  ]);
  expect(next?.modifications[0]).not.toHaveProperty('errorData');
});

test('Authenticate must build on the last received identity version', () => {
  const session = new SyncSession();
  accept(session.checkAuthenticate(0));
  expect(session.checkAuthenticate(1)).toMatchObject({
    success: false,
    violation: { kind: 'internal' },
  });

  // Verified tokens count at once, before any Transition confirms them.
  session.setIdentity({ kind: 'admin', identity: null });
  expect(session.receivedIdentityVersion).toBe(1);
  expect(session.version.identity).toBe(0);
  accept(session.checkAuthenticate(1));
  expect(session.checkAuthenticate(0)).toMatchObject({ success: false });
});

test('a new identity is confirmed by the next Transition, which sends every result again', () => {
  const session = new SyncSession();
  accept(session.modifyQuerySet(modify(0, 1, [add(1), add(2)])));
  transition(session, 10n, (id) => ok(`public ${id}`));

  // A token refresh and then a logout, both before any Transition.
  session.setIdentity({
    kind: 'user',
    identity: { subject: 'ada' },
    expiresAtMs: null,
  });
  session.setIdentity({ kind: 'none' });
  expect(session.identity).toEqual({ kind: 'none' });

  const confirming = transition(session, 10n, (id) => ok(`public ${id}`));
  expect(confirming?.startVersion.identity).toBe(0);
  expect(confirming?.endVersion.identity).toBe(2);
  expect(confirming?.modifications.map((m) => m.queryId)).toEqual([1, 2]);
});

test('Connect gives the clock skew as client minus server, in ms, for every Transition', () => {
  const session = new SyncSession();
  accept(
    session.connect(
      {
        type: 'Connect',
        sessionId: '6d3a5c1e-8a4b-4f3e-9a8b-1c2d3e4f5a6b',
        connectionCount: 0,
        lastCloseReason: 'InitialConnect',
        clientTs: 1_000_000,
      },
      0n,
      1_000_250,
    ),
  );
  // The client's clock is 250 ms behind the server's.
  expect(session.clientClockSkew).toBe(-250);
  expect(session.sessionId).toBe('6d3a5c1e-8a4b-4f3e-9a8b-1c2d3e4f5a6b');

  accept(session.modifyQuerySet(modify(0, 1, [])));
  expect(transition(session, 1n, () => ok(null))?.clientClockSkew).toBe(-250);
});

test("only a client's first socket is a first connection: later ones may re-send mutations", () => {
  const connected = (connectionCount: number) => {
    const session = new SyncSession();
    accept(
      session.connect(
        {
          type: 'Connect',
          sessionId: '6d3a5c1e-8a4b-4f3e-9a8b-1c2d3e4f5a6b',
          connectionCount,
          lastCloseReason: connectionCount === 0 ? 'InitialConnect' : null,
          clientTs: 0,
        },
        0n,
        0,
      ),
    );
    return session.firstConnection;
  };
  expect(connected(0)).toBe(true);
  expect(connected(1)).toBe(false);
  expect(new SyncSession().firstConnection).toBe(false);
});

test('Connect from a client that has seen a later timestamp than ours is internal', () => {
  const connect = (maxObservedTimestamp?: Timestamp) =>
    new SyncSession().connect(
      {
        type: 'Connect',
        sessionId: '6d3a5c1e-8a4b-4f3e-9a8b-1c2d3e4f5a6b',
        connectionCount: 3,
        lastCloseReason: null,
        clientTs: 0,
        ...(maxObservedTimestamp === undefined ? {} : { maxObservedTimestamp }),
      },
      500n,
      0,
    );

  expect(connect(501n)).toMatchObject({
    success: false,
    violation: {
      kind: 'internal',
      message: expect.stringContaining('501') as string,
    },
  });
  accept(connect(500n));
  accept(connect(499n));
  accept(connect());
});

test('a session that never receives Connect still works', () => {
  // With expectAuth, the client may start with Authenticate and ModifyQuerySet.
  const session = new SyncSession();
  accept(session.checkAuthenticate(0));
  session.setIdentity({ kind: 'admin', identity: null });
  accept(session.modifyQuerySet(modify(0, 1, [add(1)])));

  const next = transition(session, 4n, () => ok('x'));
  expect(session.sessionId).toBeNull();
  expect(next).toMatchObject({
    startVersion: ZERO,
    endVersion: { querySet: 1, identity: 1, ts: 4n },
    clientClockSkew: null,
  });
});
