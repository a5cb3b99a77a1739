/**
 * SyncConnection over a fake socket and a fake runtime: what it sends, when,
 * and how it closes, without a network. The socket records frames and
 * reports whatever buffered amount the test sets.
 */
import { expect, test } from 'vitest';
import { ReadSet } from '../store/read-set.ts';
import type { Timestamp } from '../protocol/timestamp.ts';
import { encodeTimestamp } from '../protocol/timestamp.ts';
import type { QuerySpec } from './query-spec.ts';
import { SubscriptionHub } from './subscription-hub.ts';
import {
  SyncConnection,
  type SyncServices,
  type SyncSocket,
} from './sync-connection.ts';

interface Frame {
  type: string;
  [field: string]: unknown;
}

class FakeSocket implements SyncSocket {
  readonly frames: Frame[] = [];
  readonly texts: string[] = [];
  buffered = 0;
  closedWith: { code: number | null; reason: string } | null = null;

  send(frame: string | Uint8Array): void {
    const text =
      typeof frame === 'string' ? frame : Buffer.from(frame).toString('utf8');
    this.texts.push(text);
    const parsed = JSON.parse(text) as Frame;
    this.frames.push(parsed);
    if (this.#corked) this.#corked.push(parsed.type);
    else this.writes.push([parsed.type]);
  }

  bufferedBytes(): number {
    return this.buffered;
  }

  /** The frame types of each write: a corked group is one write, any other frame its own. */
  readonly writes: string[][] = [];
  #corked: string[] | null = null;

  cork(write: () => void): void {
    this.#corked = [];
    write();
    this.writes.push(this.#corked);
    this.#corked = null;
  }

  close(code: number | null, reason: string): void {
    this.closedWith = { code, reason };
  }

  ofType(type: string): Frame[] {
    return this.frames.filter((frame) => frame.type === type);
  }
}

/** A runtime whose query `values:get` returns whatever `values` holds for its name. */
function fakeServices(values: Map<string, unknown>) {
  let ts: Timestamp = 1n;
  /** Commits other processes made that this one has not heard of yet. */
  let unheard: Timestamp = 0n;
  const hub = new SubscriptionHub<QuerySpec>(
    async (spec, at) => {
      const name = (spec.args as { name: string }).name;
      return {
        ts: at,
        readSet: new ReadSet(),
        result: {
          success: true,
          value: (values.get(name) ?? null) as never,
          logLines: [],
          journal: null,
        },
      };
    },
    { latestTs: ts },
  );
  const services: SyncServices = {
    hub,
    latestTs: async () => ts,
    catchUp: async () => {
      if (unheard > ts) ts = unheard;
      return ts;
    },
    runMutation: async () => ({
      success: true,
      value: null,
      logLines: [],
      ts: ++ts,
    }),
    runAction: async () => ({ success: true, value: 'done', logLines: [] }),
    authenticate: async () => ({ success: true, identity: { kind: 'none' } }),
    log: () => undefined,
  };
  return {
    services,
    /** A commit: the next Transition reads at a later timestamp. */
    advance: () => ++ts,
    /** A commit through another process, heard only on catching up. */
    commitElsewhere: (at: Timestamp) => {
      unheard = at;
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

function subscribe(connection: SyncConnection, names: string[], base = 0) {
  connection.receive(
    JSON.stringify({
      type: 'ModifyQuerySet',
      baseVersion: base,
      newVersion: base + 1,
      modifications: names.map((name, queryId) => ({
        type: 'Add',
        queryId: queryId + base * 100,
        udfPath: 'values:get',
        args: [{ name }],
      })),
    }),
  );
}

test('the first Transition answers every query from version zero', async () => {
  const socket = new FakeSocket();
  const { services } = fakeServices(new Map([['a', 1]]));
  const connection = new SyncConnection(socket, services, {
    clientVersion: '1.48.0',
  });
  subscribe(connection, ['a', 'b']);
  await settle();
  expect(socket.ofType('Transition')).toEqual([
    {
      type: 'Transition',
      startVersion: { querySet: 0, identity: 0, ts: encodeTimestamp(0n) },
      endVersion: { querySet: 1, identity: 0, ts: encodeTimestamp(1n) },
      modifications: [
        {
          type: 'QueryUpdated',
          queryId: 0,
          value: 1,
          logLines: [],
          journal: null,
        },
        {
          type: 'QueryUpdated',
          queryId: 1,
          value: null,
          logLines: [],
          journal: null,
        },
      ],
      clientClockSkew: null,
      serverTs: expect.any(Number) as number,
    },
  ]);
});

test('a mutation is answered, then followed by a Transition at or after its commit', async () => {
  const socket = new FakeSocket();
  const { services } = fakeServices(new Map());
  const connection = new SyncConnection(socket, services, {
    clientVersion: '1.48.0',
  });
  connection.receive(
    JSON.stringify({
      type: 'Mutation',
      requestId: 0,
      udfPath: 'values:set',
      args: [{}],
    }),
  );
  await settle();
  expect(socket.frames.map((frame) => frame.type)).toEqual([
    'MutationResponse',
    'Transition',
  ]);
  const [response, transition] = socket.frames;
  expect(response).toMatchObject({ success: true, ts: encodeTimestamp(2n) });
  // Nothing changed for this client, but the mutation is owed a Transition.
  expect(transition).toMatchObject({
    endVersion: { ts: encodeTimestamp(2n) },
    modifications: [],
  });
});

test('a mutation’s answer leaves with the Transition it is owed, in one write; a failed one too', async () => {
  const socket = new FakeSocket();
  const { services } = fakeServices(new Map());
  let fail = false;
  const connection = new SyncConnection(
    socket,
    {
      ...services,
      runMutation: async (...args) =>
        fail
          ? { success: false, errorMessage: 'no', logLines: [] }
          : await services.runMutation(...args),
    },
    { clientVersion: '1.48.0' },
  );
  const mutate = (requestId: number) =>
    connection.receive(
      JSON.stringify({
        type: 'Mutation',
        requestId,
        udfPath: 'values:set',
        args: [{}],
      }),
    );
  mutate(0);
  await settle();
  fail = true;
  mutate(1);
  await settle();
  expect(socket.writes).toEqual([
    ['MutationResponse', 'Transition'],
    ['MutationResponse', 'Transition'],
  ]);
  expect(socket.ofType('MutationResponse')).toMatchObject([
    { requestId: 0, success: true },
    { requestId: 1, success: false, result: 'no' },
  ]);
});

test('two queries of one socket that are the same query share one hub subscription, held until both are removed', async () => {
  const socket = new FakeSocket();
  const values = new Map<string, unknown>([['a', 1]]);
  const { services, advance } = fakeServices(values);
  const connection = new SyncConnection(socket, services, {
    clientVersion: '1.48.0',
  });
  // Queries 0 and 1 ask for the same thing.
  subscribe(connection, ['a', 'a']);
  await settle();
  expect(services.hub.size).toBe(1);

  const queryUpdates = () =>
    socket
      .ofType('Transition')
      .flatMap((transition) => transition['modifications'] as Frame[])
      .filter((modification) => modification.type === 'QueryUpdated');
  const modifyQuerySet = (base: number, queryIds: number[]) =>
    connection.receive(
      JSON.stringify({
        type: 'ModifyQuerySet',
        baseVersion: base,
        newVersion: base + 1,
        modifications: queryIds.map((queryId) => ({
          type: 'Remove',
          queryId,
        })),
      }),
    );

  // One goes; the other still hears of a change.
  modifyQuerySet(1, [0]);
  await settle();
  expect(services.hub.size).toBe(1);
  values.set('a', 2);
  advance();
  services.hub.invalidateAll();
  await settle();
  expect(queryUpdates().at(-1)).toMatchObject({ queryId: 1, value: 2 });

  // With the last one gone, the hub holds nothing for this socket.
  modifyQuerySet(2, [1]);
  await settle();
  expect(services.hub.size).toBe(0);
});

test('while the socket is backed up no Transition is built; changes meanwhile make one when it drains', async () => {
  const socket = new FakeSocket();
  const values = new Map<string, unknown>([['a', 1]]);
  const { services } = fakeServices(values);
  const connection = new SyncConnection(socket, services, {
    clientVersion: '1.48.0',
  });
  subscribe(connection, ['a']);
  await settle();
  expect(socket.ofType('Transition')).toHaveLength(1);

  socket.buffered = 8 << 20;
  subscribe(connection, ['b'], 1);
  subscribe(connection, ['c'], 2);
  subscribe(connection, ['d'], 3);
  await settle();
  expect(socket.ofType('Transition')).toHaveLength(1);

  socket.buffered = 0;
  connection.drained();
  await settle();
  const transitions = socket.ofType('Transition');
  expect(transitions).toHaveLength(2);
  expect(transitions[1]).toMatchObject({
    startVersion: { querySet: 1 },
    endVersion: { querySet: 4 },
  });
  expect(
    (transitions[1]?.['modifications'] as unknown[]).map(
      (m) => (m as { queryId: number }).queryId,
    ),
  ).toEqual([100, 200, 300]);
});

test('a change that comes just as a Transition goes out gets a Transition of its own, however many steps later it comes', async () => {
  // The connection finishes a Transition over a few promise steps after
  // sending it; a commit landing in any of them must still be sent.
  for (let steps = 0; steps < 8; steps++) {
    const socket = new FakeSocket();
    const values = new Map<string, unknown>([['a', 1]]);
    const { services, advance } = fakeServices(values);
    const connection = new SyncConnection(socket, services, {
      clientVersion: '1.48.0',
    });
    let changed = false;
    const send = socket.send.bind(socket);
    socket.send = (frame) => {
      send(frame);
      if (changed) return;
      changed = true;
      let later: Promise<void> = Promise.resolve();
      for (let i = 0; i < steps; i++) later = later.then(() => undefined);
      void later.then(() => {
        values.set('a', 2);
        advance();
        services.hub.invalidateAll();
      });
    };
    subscribe(connection, ['a']);
    await settle();
    const sent = socket
      .ofType('Transition')
      .flatMap((transition) => transition['modifications'] as unknown[]);
    expect(sent, `a change ${steps} steps after a send`).toMatchObject([
      { value: 1 },
      { value: 2 },
    ]);
  }
});

test('a Transition over 5 MB goes out in TransitionChunks to clients that read them, whole to older ones', async () => {
  const big = 'x'.repeat(6_000_000);
  for (const [version, expected] of [
    ['1.48.0', 'TransitionChunk'],
    ['1.27.0', 'Transition'],
  ] as const) {
    const socket = new FakeSocket();
    const { services } = fakeServices(new Map([['big', big]]));
    const connection = new SyncConnection(socket, services, {
      clientVersion: version,
    });
    subscribe(connection, ['big']);
    await settle();
    expect(new Set(socket.frames.map((frame) => frame.type))).toEqual(
      new Set([expected]),
    );
    if (expected === 'TransitionChunk') {
      const whole = socket.frames
        .map((frame) => frame['chunk'] as string)
        .join('');
      expect(JSON.parse(whole)).toMatchObject({
        type: 'Transition',
        modifications: [{ value: big }],
      });
    }
  }
});

function connect(connection: SyncConnection, maxObservedTimestamp: Timestamp) {
  connection.receive(
    JSON.stringify({
      type: 'Connect',
      sessionId: '5c1c2b56-0b5e-4b5a-9a43-7f3f0f6b9a11',
      connectionCount: 1,
      lastCloseReason: 'Server shutting down',
      maxObservedTimestamp: encodeTimestamp(maxObservedTimestamp),
      clientTs: Date.now(),
    }),
  );
}

test('a client that observed commits through another process is served once this one has heard them', async () => {
  const socket = new FakeSocket();
  const { services, commitElsewhere } = fakeServices(new Map([['a', 1]]));
  commitElsewhere(7n);
  const connection = new SyncConnection(socket, services, {
    clientVersion: '1.48.0',
  });
  connect(connection, 7n);
  subscribe(connection, ['a']);
  await settle();
  expect(socket.ofType('FatalError')).toEqual([]);
  expect(socket.ofType('Transition')).toMatchObject([
    { endVersion: { querySet: 1, ts: encodeTimestamp(7n) } },
  ]);
});

test('a client that observed a timestamp no process has committed is closed as an internal error', async () => {
  const socket = new FakeSocket();
  const { services } = fakeServices(new Map());
  const connection = new SyncConnection(socket, services, {
    clientVersion: '1.48.0',
  });
  connect(connection, 99n);
  await settle();
  expect(socket.closedWith).toEqual({
    code: 1011,
    reason: 'InternalServerError',
  });
});

test('a frame that is not a client message gets a FatalError and a close without a code', async () => {
  const socket = new FakeSocket();
  const { services } = fakeServices(new Map());
  const connection = new SyncConnection(socket, services, {
    clientVersion: '1.48.0',
  });
  connection.receive('{"type":"Subscribe"}');
  expect(socket.ofType('FatalError')).toHaveLength(1);
  expect(socket.closedWith).toMatchObject({ code: null });
  // Nothing more is sent or done on a closed connection.
  subscribe(connection, ['a']);
  await settle();
  expect(socket.frames).toHaveLength(1);
});

test('a ModifyQuerySet with a wrong base version is fatal; a duplicate query id closes with 1011', async () => {
  const fatal = new FakeSocket();
  const { services } = fakeServices(new Map());
  subscribe(
    new SyncConnection(fatal, services, { clientVersion: '1.48.0' }),
    ['a'],
    3,
  );
  await settle();
  expect(fatal.ofType('FatalError')[0]?.['error']).toMatch(
    /^BaseVersionMismatch/,
  );
  expect(fatal.closedWith).toEqual({
    code: null,
    reason: 'BaseVersionMismatch',
  });

  const internal = new FakeSocket();
  const connection = new SyncConnection(internal, services, {
    clientVersion: '1.48.0',
  });
  connection.receive(
    JSON.stringify({
      type: 'ModifyQuerySet',
      baseVersion: 0,
      newVersion: 1,
      modifications: [
        { type: 'Add', queryId: 1, udfPath: 'values:get', args: [{}] },
        { type: 'Add', queryId: 1, udfPath: 'values:get', args: [{}] },
      ],
    }),
  );
  await settle();
  expect(internal.closedWith).toEqual({
    code: 1011,
    reason: 'InternalServerError',
  });
});

test('a Ping follows 15 s of outbound silence, and not before', () => {
  const socket = new FakeSocket();
  const { services } = fakeServices(new Map());
  const connection = new SyncConnection(socket, services, {
    clientVersion: '1.48.0',
  });
  const opened = connection.lastSentAt;
  connection.tick(opened + 14_999);
  expect(socket.frames).toEqual([]);
  connection.tick(opened + 15_000);
  expect(socket.frames).toEqual([{ type: 'Ping' }]);
});

test('an identity whose token expires gets an AuthError that no update caused, and the socket closes', async () => {
  const socket = new FakeSocket();
  const { services } = fakeServices(new Map());
  const expiresAtMs = Date.now() + 60_000;
  services.authenticate = async () => ({
    success: true,
    identity: {
      kind: 'user',
      identity: { tokenIdentifier: 'issuer|user' },
      expiresAtMs,
    },
  });
  const connection = new SyncConnection(socket, services, {
    clientVersion: '1.48.0',
  });
  connection.receive(
    JSON.stringify({
      type: 'Authenticate',
      tokenType: 'User',
      value: 'a token the fake accepts',
      baseVersion: 0,
    }),
  );
  await settle();
  expect(socket.ofType('Transition')[0]).toMatchObject({
    endVersion: { identity: 1 },
  });
  connection.tick(expiresAtMs - 1);
  expect(socket.ofType('AuthError')).toEqual([]);
  connection.tick(expiresAtMs);
  expect(socket.ofType('AuthError')).toEqual([
    {
      type: 'AuthError',
      error: 'Token expired',
      baseVersion: 1,
      authUpdateAttempted: false,
    },
  ]);
  expect(socket.closedWith).toMatchObject({ code: null });
});

test('a call into a component is refused unless the caller is an admin, and never runs', async () => {
  const socket = new FakeSocket();
  const { services } = fakeServices(new Map());
  let ran = 0;
  const connection = new SyncConnection(
    socket,
    {
      ...services,
      runMutation: async (...args) => {
        ran += 1;
        return await services.runMutation(...args);
      },
    },
    { clientVersion: '1.48.0' },
  );
  // The root component, spelled as the empty path, is an ordinary call.
  connection.receive(
    JSON.stringify({
      type: 'Mutation',
      requestId: 0,
      udfPath: 'values:set',
      componentPath: '',
      args: [{}],
    }),
  );
  await settle();
  expect(socket.ofType('MutationResponse')).toMatchObject([
    { requestId: 0, success: true },
  ]);

  connection.receive(
    JSON.stringify({
      type: 'Mutation',
      requestId: 1,
      udfPath: 'values:set',
      componentPath: 'ratelimiter',
      args: [{}],
    }),
  );
  await settle();
  expect(ran).toBe(1);
  expect(socket.ofType('FatalError')).toEqual([
    {
      type: 'FatalError',
      error:
        'Only admin or system users can call functions on non-root components directly',
    },
  ]);
  expect(socket.closedWith).not.toBeNull();
});
