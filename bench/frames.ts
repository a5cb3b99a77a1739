/**
 * The text frames the protocol benchmarks feed to the decoder: every example
 * the spec gives for a client message (generated/schemas/<Type>.json), plus
 * one larger realistic frame for the two messages whose size grows with the
 * app: a Mutation with a 50-field arguments object and the first
 * ModifyQuerySet of a page that subscribes to 20 queries at once.
 */
import { readFileSync } from 'node:fs';
import type { ClientMessage } from '../generated/types.ts';

export type ClientMessageType = ClientMessage['type'];

const largeMutationFieldCount = 50;
const largeQuerySetAddCount = 20;

/** A named set of frames of one message type, timed as one row. */
export interface Workload {
  label: string;
  type: ClientMessageType;
  frames: string[];
}

/**
 * One workload per client message type with the spec's examples, then the
 * two large frames on rows of their own, so that small and large messages
 * can be tracked apart.
 */
export function workloads(types: readonly ClientMessageType[]): Workload[] {
  const examples = types.map((type) => ({
    label: `${type} (spec examples)`,
    type,
    frames: examplesOf(type).map((example) => JSON.stringify(example)),
  }));
  return [
    ...examples,
    {
      label: `Mutation (${largeMutationFieldCount} fields)`,
      type: 'Mutation',
      frames: [JSON.stringify(largeMutation())],
    },
    {
      label: `ModifyQuerySet (${largeQuerySetAddCount} Adds)`,
      type: 'ModifyQuerySet',
      frames: [JSON.stringify(largeModifyQuerySet())],
    },
  ];
}

function examplesOf(type: ClientMessageType): unknown[] {
  const url = new URL(`../generated/schemas/${type}.json`, import.meta.url);
  const schema = JSON.parse(readFileSync(url, 'utf8')) as {
    examples?: unknown[];
  };
  if (!schema.examples || schema.examples.length === 0)
    throw new Error(`generated/schemas/${type}.json has no examples`);
  return schema.examples;
}

function largeMutation(): unknown {
  const args: Record<string, unknown> = {};
  for (let i = 0; i < largeMutationFieldCount; i++) {
    const [name, value] = mixedField(i);
    args[name] = value;
  }
  return {
    type: 'Mutation',
    requestId: 42,
    udfPath: 'orders:upsert',
    args: [args],
  };
}

/** Cycles through the kinds of values an app's arguments object carries. */
function mixedField(i: number): [string, unknown] {
  switch (i % 10) {
    case 0:
      return [`title${i}`, `Quarterly report, section ${i} (draft)`];
    case 1:
      return [`price${i}`, 1234.5 + i];
    case 2:
      return [`quantity${i}`, { $integer: 'BQAAAAAAAAA=' }];
    case 3:
      return [`archived${i}`, i % 4 === 3];
    case 4:
      return [`deletedAt${i}`, null];
    case 5:
      return [`tags${i}`, ['urgent', 'finance', `team-${i}`, 7, false]];
    case 6:
      return [`ownerId${i}`, 'jd7f3k9x2m1q8w4e6r5t0y2u3i4o5p6a'];
    case 7:
      return [`address${i}`, address(i)];
    case 8:
      return [`lineItems${i}`, lineItems(i)];
    default:
      return [`thumbnail${i}`, { $bytes: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB' }];
  }
}

function address(i: number): unknown {
  return {
    street: `${i} Rue de Rivoli`,
    city: 'Paris',
    postcode: '75001',
    geo: { lat: 48.8606, lng: 2.3376 },
  };
}

function lineItems(i: number): unknown {
  return [0, 1, 2].map((n) => ({
    sku: `SKU-${i}-${n}`,
    quantity: { $integer: 'AgAAAAAAAAA=' },
    unitPrice: 19.99 + n,
    options: { color: 'blue', sizes: ['S', 'M'] },
  }));
}

function largeModifyQuerySet(): unknown {
  const modules = ['messages', 'channels', 'users', 'notifications', 'files'];
  const modifications = Array.from(
    { length: largeQuerySetAddCount },
    (_, queryId) => ({
      type: 'Add',
      queryId,
      udfPath: `${modules[queryId % modules.length]}:list`,
      args: [
        queryId % 2 === 0
          ? { channel: `channel-${queryId}`, limit: 50 }
          : { paginationOpts: { numItems: 25, cursor: null }, archived: false },
      ],
    }),
  );
  return {
    type: 'ModifyQuerySet',
    baseVersion: 0,
    newVersion: 1,
    modifications,
  };
}
