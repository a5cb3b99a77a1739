/**
 * decode: one inbound text frame → a client message, or the protocol error
 * that answers it.
 *
 * Order: `JSON.parse`; the nesting depth (json-depth.ts); the `type` picks
 * the generated validator of that message (so an error names the message);
 * then timestamps become `bigint`s and arguments become Convex values. A bad frame is an expected failure and
 * comes back as a value; nothing here throws for bad input.
 */
import type * as Wire from '../../generated/types.ts';
import { clientMessageTypes } from '../../generated/types.ts';
import {
  type Validator,
  clientMessageValidators,
} from '../../generated/validators.js';
import { unreachable } from '../lib/assert.ts';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.ts';
import type { ClientMessage, QuerySetModification } from './messages.ts';
import { ProtocolError } from './protocol-error.ts';
import { decodeTimestamp } from './timestamp.ts';
import { describeValidationErrors } from './validation-error.ts';
import { type Value, decodeValue } from './values.ts';

export type DecodeResult =
  | { success: true; message: ClientMessage }
  | { success: false; error: ProtocolError };

const knownTypes: ReadonlySet<string> = new Set(clientMessageTypes);

export function decode(text: string): DecodeResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return failure(
      new ProtocolError(
        'WSMessageInvalidJson',
        `the frame is not JSON (${reason})`,
      ),
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return failure(
      new ProtocolError('InvalidMessage', 'a message must be a JSON object'),
    );
  }
  if (nestsDeeperThan(json, MAX_JSON_DEPTH)) {
    return failure(
      new ProtocolError(
        'InvalidMessage',
        `the frame nests deeper than ${MAX_JSON_DEPTH} levels`,
      ),
    );
  }
  const type = (json as { type?: unknown }).type;
  if (typeof type !== 'string') {
    return failure(
      new ProtocolError('InvalidMessage', 'is required and must be a string', {
        field: 'type',
      }),
    );
  }
  if (!knownTypes.has(type)) {
    return failure(
      new ProtocolError(
        'InvalidMessage',
        `unknown message type ${JSON.stringify(type)}`,
        {
          field: 'type',
        },
      ),
    );
  }

  const validate: Validator<Wire.ClientMessage> =
    clientMessageValidators[type as Wire.ClientMessage['type']];
  if (!validate(json)) {
    const { field, problem } = describeValidationErrors(validate.errors ?? []);
    return failure(
      new ProtocolError('InvalidMessage', problem, {
        messageType: type,
        field,
      }),
    );
  }
  try {
    return { success: true, message: fromWire(json) };
  } catch (e) {
    if (e instanceof ProtocolError) return failure(e);
    throw e;
  }
}

function failure(error: ProtocolError): DecodeResult {
  return { success: false, error };
}

function fromWire(message: Wire.ClientMessage): ClientMessage {
  switch (message.type) {
    case 'Connect': {
      const { maxObservedTimestamp, ...rest } = message;
      return maxObservedTimestamp === undefined
        ? rest
        : {
            ...rest,
            maxObservedTimestamp: decodeTimestamp(maxObservedTimestamp),
          };
    }
    case 'ModifyQuerySet':
      return {
        ...message,
        modifications: message.modifications.map(
          (m, i): QuerySetModification =>
            m.type === 'Add'
              ? {
                  ...m,
                  args: decodeArgs(
                    m.args,
                    'ModifyQuerySet',
                    `modifications[${i}].args`,
                  ),
                }
              : m,
        ),
      };
    case 'Mutation':
    case 'Action':
      return {
        ...message,
        args: decodeArgs(message.args, message.type, 'args'),
      };
    case 'Authenticate':
    case 'Event':
      return message;
    default:
      return unreachable(message);
  }
}

function decodeArgs(
  args: Wire.FunctionArgs,
  messageType: string,
  field: string,
): Value[] {
  return args.map((arg, i) => {
    try {
      return decodeValue(arg);
    } catch (e) {
      const problem = e instanceof Error ? e.message : String(e);
      throw new ProtocolError('InvalidMessage', problem, {
        messageType,
        field: `${field}[${i}]`,
      });
    }
  });
}
