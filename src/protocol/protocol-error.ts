/**
 * ProtocolError: the client broke the protocol. It carries what the server
 * answers, so that the layer that finds the violation and the socket shell
 * that reports it agree without translating.
 *
 * Not for function failures (those are `success: false` values) nor for bugs
 * in Converge (plain `Error`s).
 */
import type { FatalError } from './messages.ts';

/**
 * The closed list of violations, with the real backend's answer to each
 * (docs/convex-protocol.md §1.3): `fatal` is the BadRequest class, answered
 * by `FatalError` and a close without a code; the client stops for good.
 */
export const protocolErrorKinds = {
  /** The frame is not JSON (the backend's `WSMessageInvalidJson`). */
  WSMessageInvalidJson: 'fatal',
  /** The frame is JSON but not a client message of the AsyncAPI document. */
  InvalidMessage: 'fatal',
} as const satisfies Record<string, 'fatal'>;

export type ProtocolErrorKind = keyof typeof protocolErrorKinds;

export interface ProtocolErrorOptions {
  /** The `type` of the offending message, when it had a known one. */
  messageType?: string;
  /** The offending field, as a path such as `args[0].count.$integer`. */
  field?: string;
}

export class ProtocolError extends Error {
  readonly kind: ProtocolErrorKind;
  readonly messageType: string | undefined;
  readonly field: string | undefined;
  /** What is wrong, without the kind and location the full message adds. */
  readonly problem: string;

  constructor(
    kind: ProtocolErrorKind,
    problem: string,
    options: ProtocolErrorOptions = {},
  ) {
    const where = [options.messageType, options.field]
      .filter(Boolean)
      .join(' ');
    super(`${kind}: ${where ? `${where}: ` : ''}${problem}`);
    this.name = 'ProtocolError';
    this.kind = kind;
    this.problem = problem;
    this.messageType = options.messageType;
    this.field = options.field;
  }

  /** The last message the client gets before the socket closes. */
  toFatalError(): FatalError {
    return { type: 'FatalError', error: this.message };
  }
}
