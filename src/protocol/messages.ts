/**
 * The protocol's messages as the rest of Converge sees them: the generated
 * wire types with timestamps as `bigint` and Convex values decoded (`bigint`,
 * `ArrayBuffer`, …). Only src/protocol converts between the two forms
 * (`decode.ts` inbound, `encode.ts` outbound).
 *
 * Not here: the wire shapes themselves (generated/types.ts, from the AsyncAPI
 * document) and `TransitionChunk`, which only the encoder produces.
 */
import type * as Wire from '../../generated/types.ts';
import type { Timestamp } from './timestamp.ts';
import type { Value } from './values.ts';

// ── Client → server ────────────────────────────────────────────────────────

export type Connect = Omit<Wire.Connect, 'maxObservedTimestamp'> & {
  maxObservedTimestamp?: Timestamp;
};
export type Authenticate = Wire.Authenticate;
export type AddQuery = Omit<Wire.AddQuery, 'args'> & { args: Value[] };
export type RemoveQuery = Wire.RemoveQuery;
export type QuerySetModification = AddQuery | RemoveQuery;
export type ModifyQuerySet = Omit<Wire.ModifyQuerySet, 'modifications'> & {
  modifications: QuerySetModification[];
};
export type Mutation = Omit<Wire.Mutation, 'args'> & { args: Value[] };
export type Action = Omit<Wire.Action, 'args'> & { args: Value[] };
export type Event = Wire.Event;

export type ClientMessage =
  Connect | Authenticate | ModifyQuerySet | Mutation | Action | Event;

// ── Server → client ────────────────────────────────────────────────────────

/** Where a client's view stands; the three parts always travel together. */
export interface StateVersion {
  querySet: number;
  identity: number;
  ts: Timestamp;
}

export type QueryUpdated = Omit<Wire.QueryUpdated, 'value'> & { value: Value };
export type QueryFailed = Omit<Wire.QueryFailed, 'errorData'> & {
  errorData?: Value;
};
export type QueryRemoved = Wire.QueryRemoved;
export type StateModification = QueryUpdated | QueryFailed | QueryRemoved;

export type Transition = Omit<
  Wire.Transition,
  'startVersion' | 'endVersion' | 'modifications'
> & {
  startVersion: StateVersion;
  endVersion: StateVersion;
  modifications: StateModification[];
};

export type MutationSuccess = Omit<Wire.MutationSuccess, 'result' | 'ts'> & {
  result: Value;
  ts: Timestamp;
};
export type MutationFailed = Omit<Wire.MutationFailed, 'errorData' | 'ts'> & {
  errorData?: Value;
};
export type MutationResponse = MutationSuccess | MutationFailed;

export type ActionSuccess = Omit<Wire.ActionSuccess, 'result'> & {
  result: Value;
};
export type ActionFailed = Omit<Wire.ActionFailed, 'errorData'> & {
  errorData?: Value;
};
export type ActionResponse = ActionSuccess | ActionFailed;

export type AuthError = Wire.AuthError;
export type FatalError = Wire.FatalError;
export type Ping = Wire.Ping;

export type ServerMessage =
  | Transition
  | MutationResponse
  | ActionResponse
  | AuthError
  | FatalError
  | Ping;
