import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import {
  clientMessageValidators,
  serverMessageValidators,
} from '../../generated/validators.js';
import { loadProtocolDocument } from './protocol-document.ts';

const specUrl = new URL('../../asyncapi/convex-sync.yaml', import.meta.url);
const doc = await loadProtocolDocument(
  await readFile(specUrl, 'utf8'),
  'convex-sync.yaml',
);

describe('asyncapi/convex-sync.yaml', () => {
  test('parses with no diagnostics and tracks client 1.48', () => {
    expect(doc.version).toBe('1.48.0');
  });

  test('names every message of the client 1.48 protocol, by direction', () => {
    expect(doc.clientMessages.map((m) => m.name)).toEqual([
      'Connect',
      'Authenticate',
      'ModifyQuerySet',
      'Mutation',
      'Action',
      'Event',
    ]);
    expect(doc.serverMessages.map((m) => m.name)).toEqual([
      'Transition',
      'TransitionChunk',
      'MutationResponse',
      'ActionResponse',
      'AuthError',
      'FatalError',
      'Ping',
    ]);
  });

  test('keeps the introduction, the socket and the example summaries for the protocol page', () => {
    expect(doc.description).toMatch(/^The WebSocket sync protocol between/);
    expect(doc.channels).toEqual([
      {
        address: '/api/{clientVersion}/sync',
        description: expect.stringMatching(
          /^The single bidirectional channel of a sync session\./,
        ) as unknown,
      },
    ]);
    expect(doc.clientMessages[0]?.examples[0]).toMatchObject({
      name: 'firstConnect',
      summary: 'The first socket of a client instance.',
    });
    // An example without a summary has none, rather than an empty one.
    expect(doc.clientMessages[1]?.examples[0]).not.toHaveProperty('summary');
  });

  test('every example validates against the generated validator of its message', () => {
    const validators: Record<string, (data: unknown) => boolean> = {
      ...clientMessageValidators,
      ...serverMessageValidators,
    };
    for (const message of [...doc.clientMessages, ...doc.serverMessages]) {
      const validate = validators[message.name];
      expect(validate, message.name).toBeDefined();
      for (const example of message.examples) {
        expect(
          validate?.(example.payload),
          `${message.name} example ${example.name}`,
        ).toBe(true);
      }
    }
  });

  test('each message says who sends it and what a wrong one gets', () => {
    for (const message of doc.clientMessages) {
      expect(message.summary).toMatch(/^Client → server\./);
      expect(message.description).toMatch(/When wrong:/);
    }
    for (const message of doc.serverMessages) {
      expect(message.summary).toMatch(/^Server → client\./);
    }
  });
});

test('loadProtocolDocument() fails on any parser diagnostic', async () => {
  const broken = (await readFile(specUrl, 'utf8')).replace(
    'asyncapi: 3.1.0',
    'asyncapi: 3.0.0',
  );
  await expect(loadProtocolDocument(broken, 'broken.yaml')).rejects.toThrow(
    /broken.yaml does not parse cleanly:\n {2}asyncapi-latest-version/,
  );
});
