/**
 * The official client is the judge of the protocol layer: what it sends must
 * pass the generated validators, and what `encode` produces it must accept.
 * The other end of its socket is a scripted listener, not the Converge server.
 */
import { version as clientVersion } from 'convex';
import { ConvexClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import { ConvexError } from 'convex/values';
import { describe, expect, test, vi } from 'vitest';
import {
  clientMessageValidators,
  serverMessageValidators,
} from '../../generated/validators.js';
import { decode } from '../../src/protocol/decode.ts';
import { encode } from '../../src/protocol/encode.ts';
import type {
  ClientMessage,
  StateModification,
  StateVersion,
} from '../../src/protocol/messages.ts';
import { chunkTransition } from '../../src/protocol/transition-chunks.ts';
import type { Value } from '../../src/protocol/values.ts';
import { startScriptedSyncServer } from '../helpers/scripted-sync-server.ts';

const listMessages = makeFunctionReference<'query'>('messages:list');
const sendMessage = makeFunctionReference<'mutation'>('messages:send');
const summarize = makeFunctionReference<'action'>('ai:summarize');

/** A JWT-shaped token with `iat` and `exp`; nothing verifies it here. */
function fakeJwt(subject: string): string {
  const part = (value: object) =>
    Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ sub: subject, iat: now, exp: now + 3600 })}.c2ln`;
}

/** `setAdminAuth` is internal to the client, so its type is not published. */
interface AdminAuthClient {
  setAdminAuth(key: string, actingAs?: Record<string, unknown>): void;
  clearAuth(): void;
}

function messageOf(text: string): ClientMessage {
  const result = decode(text);
  if (!result.success) throw result.error;
  return result.message;
}

function ofType(
  type: string,
  extra: (json: Record<string, unknown>) => boolean = () => true,
) {
  return (json: unknown): boolean =>
    typeof json === 'object' &&
    json !== null &&
    (json as { type?: unknown }).type === type &&
    extra(json as Record<string, unknown>);
}

/** One label per message variant, to prove the test saw each of them. */
function variantOf(json: unknown): string {
  const message = json as {
    type: string;
    tokenType?: string;
    modifications?: { type: string }[];
  };
  if (message.type === 'Authenticate')
    return `Authenticate:${message.tokenType}`;
  if (message.type === 'ModifyQuerySet') {
    return `ModifyQuerySet:${(message.modifications ?? []).map((m) => m.type).join(',')}`;
  }
  return message.type;
}

describe('the official ConvexClient', () => {
  test('sends only frames that the generated validators accept', async () => {
    await using server = await startScriptedSyncServer();
    const client = new ConvexClient(server.url);
    try {
      // Subscribing opens the socket: Connect, then one ModifyQuerySet 0→1 with the Add.
      const unsubscribe = client.onUpdate(
        listMessages,
        { channel: 'general' },
        () => {},
      );
      await server.waitForFrame(ofType('ModifyQuerySet'));

      // A mutation and an action whose arguments use every encoded value form.
      // Nobody answers them; closing the client rejects them.
      const pending = [
        client.mutation(sendMessage, {
          body: 'hello',
          count: 5n,
          bytes: new Uint8Array([1, 2, 3]).buffer,
          notANumber: NaN,
          negativeZero: -0,
          nested: { list: [1, 'two', null, true, { deep: -1n }] },
        }),
        client.action(summarize, { channel: 'general' }),
      ];
      for (const promise of pending) promise.catch(() => {});
      await server.waitForFrame(ofType('Mutation'));
      await server.waitForFrame(ofType('Action'));

      // Unsubscribing sends ModifyQuerySet 1→2 with a Remove.
      unsubscribe();
      await server.waitForFrame(
        ofType('ModifyQuerySet', (m) => m['newVersion'] === 2),
      );

      // User auth, then admin auth acting as a user, then logout.
      client.setAuth(() => Promise.resolve(fakeJwt('user1')));
      await server.waitForFrame(
        ofType('Authenticate', (m) => m['tokenType'] === 'User'),
      );
      const base = client.client as unknown as AdminAuthClient;
      base.setAdminAuth('converge-admin-key', {
        subject: 'user1',
        issuer: 'https://issuer.example.com',
        name: 'Ada',
      });
      await server.waitForFrame(
        ofType('Authenticate', (m) => m['tokenType'] === 'Admin'),
      );
      base.clearAuth();
      await server.waitForFrame(
        ofType('Authenticate', (m) => m['tokenType'] === 'None'),
      );
    } finally {
      await client.close();
    }

    expect(server.upgrades).toEqual([`/api/${clientVersion}/sync`]);
    for (const frame of server.frames) {
      expect(frame.isBinary, frame.text).toBe(false);
      const type = (
        frame.json as { type: keyof typeof clientMessageValidators }
      ).type;
      const validate = clientMessageValidators[type];
      expect(
        validate(frame.json),
        `${frame.text}\n${JSON.stringify(validate.errors)}`,
      ).toBe(true);
      const decoded = decode(frame.text);
      expect(decoded.success ? 'decoded' : decoded.error.message).toBe(
        'decoded',
      );
    }
    expect(new Set(server.frames.map((f) => variantOf(f.json)))).toEqual(
      new Set([
        'Connect',
        'ModifyQuerySet:Add',
        'Mutation',
        'Action',
        'ModifyQuerySet:Remove',
        'Authenticate:User',
        'Authenticate:Admin',
        'Authenticate:None',
      ]),
    );
  });

  test('accepts Transitions, responses, pings and chunks produced by encode', async () => {
    await using server = await startScriptedSyncServer();
    const client = new ConvexClient(server.url);
    // Every frame sent to the client must also pass the server-message schemas.
    const send = (frame: string): void => {
      const json = JSON.parse(frame) as {
        type: keyof typeof serverMessageValidators;
      };
      const validate = serverMessageValidators[json.type];
      expect(
        validate(json),
        `${frame}\n${JSON.stringify(validate.errors)}`,
      ).toBe(true);
      server.send(frame);
    };
    try {
      const updates: unknown[] = [];
      const queryErrors: Error[] = [];
      client.onUpdate(
        listMessages,
        { channel: 'general' },
        (value) => updates.push(value),
        (error) => queryErrors.push(error),
      );
      const subscribe = messageOf(
        (await server.waitForFrame(ofType('ModifyQuerySet'))).text,
      );
      if (subscribe.type !== 'ModifyQuerySet')
        throw new Error('expected ModifyQuerySet');
      const queryId = subscribe.modifications[0]?.queryId ?? -1;

      // Every Transition starts where the previous one ended, from zero on a new socket.
      let version: StateVersion = { querySet: 0, identity: 0, ts: 0n };
      const transition = (
        end: StateVersion,
        modifications: StateModification[],
      ): string => {
        const frame = encode({
          type: 'Transition',
          startVersion: version,
          endVersion: end,
          modifications,
          clientClockSkew: 0,
          serverTs: Date.now() * 1e6,
        });
        version = end;
        return frame;
      };
      const updated = (value: Value): StateModification => ({
        type: 'QueryUpdated',
        queryId,
        value,
        logLines: ["[LOG] 'listing general'"],
        journal: null,
      });

      // The server answers the subscription; the callback sees decoded values (a bigint here).
      send(
        transition({ querySet: 1, identity: 0, ts: 100n }, [
          updated([{ n: 5n }]),
        ]),
      );
      await vi.waitFor(() => expect(updates).toEqual([[{ n: 5n }]]));

      // A mutation is answered, a Ping comes between, and the Transition at its
      // commit ts releases the promise together with the new query result.
      const mutation = client.mutation(sendMessage, { body: 'again' });
      const sent = messageOf(
        (await server.waitForFrame(ofType('Mutation'))).text,
      );
      if (sent.type !== 'Mutation') throw new Error('expected Mutation');
      send(
        encode({
          type: 'MutationResponse',
          requestId: sent.requestId,
          success: true,
          result: 'id1',
          ts: 200n,
          logLines: [],
        }),
      );
      send(encode({ type: 'Ping' }));
      send(
        transition({ querySet: 1, identity: 0, ts: 200n }, [
          updated([{ n: 5n }, { n: 6n }]),
        ]),
      );
      await expect(mutation).resolves.toBe('id1');
      expect(updates.at(-1)).toEqual([{ n: 5n }, { n: 6n }]);

      // A failed mutation rejects at once, with its ConvexError data decoded.
      const failing = client.mutation(sendMessage, {
        body: 'far too long',
      });
      const second = messageOf(
        (
          await server.waitForFrame(
            ofType('Mutation', (m) => m['requestId'] !== sent.requestId),
          )
        ).text,
      );
      if (second.type !== 'Mutation') throw new Error('expected Mutation');
      send(
        encode({
          type: 'MutationResponse',
          requestId: second.requestId,
          success: false,
          result: 'body too long',
          logLines: [],
          errorData: { max: 5n },
        }),
      );
      const rejection: unknown = await failing.catch((e: unknown) => e);
      expect(rejection).toBeInstanceOf(ConvexError);
      expect((rejection as ConvexError<{ max: bigint }>).data).toEqual({
        max: 5n,
      });

      // An action resolves with its result at once.
      const action = client.action(summarize, {});
      const act = messageOf((await server.waitForFrame(ofType('Action'))).text);
      if (act.type !== 'Action') throw new Error('expected Action');
      send(
        encode({
          type: 'ActionResponse',
          requestId: act.requestId,
          success: true,
          result: { count: 3n, bytes: new Uint8Array([9]).buffer },
          logLines: [],
        }),
      );
      const actionResult = (await action) as {
        count: bigint;
        bytes: ArrayBuffer;
      };
      expect(actionResult.count).toBe(3n);
      expect([...new Uint8Array(actionResult.bytes)]).toEqual([9]);

      // A Transition split into chunks (multi-byte characters straddle the cuts) is reassembled.
      const big = `${'é'.repeat(700)}${'😀'.repeat(300)}`;
      const chunks = chunkTransition(
        transition({ querySet: 1, identity: 0, ts: 300n }, [updated(big)]),
        { maxBytes: 1000 },
      );
      expect(chunks.length).toBeGreaterThan(2);
      for (const chunk of chunks) send(chunk);
      await vi.waitFor(() => expect(updates.at(-1)).toBe(big));

      // A failing query reaches the subscriber's error callback with its data.
      send(
        encode({
          type: 'Transition',
          startVersion: version,
          endVersion: { ...version, ts: 400n },
          modifications: [
            {
              type: 'QueryFailed',
              queryId,
              errorMessage: 'forbidden',
              logLines: [],
              journal: null,
              errorData: { code: 'forbidden' },
            },
          ],
        }),
      );
      await vi.waitFor(() => expect(queryErrors).toHaveLength(1));
      expect(queryErrors[0]).toBeInstanceOf(ConvexError);
      expect((queryErrors[0] as ConvexError<{ code: string }>).data).toEqual({
        code: 'forbidden',
      });
    } finally {
      await client.close();
    }
  });
});
