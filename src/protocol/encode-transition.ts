/**
 * encodeTransition: a Transition → the UTF-8 bytes of its frame, with every
 * query result copied in from its shared encoding (encoded-value.ts).
 *
 * The hot path of a fan-out: one result goes to every subscriber, each in a
 * Transition of its own. Only the small per-session parts (versions, query
 * ids, journals, error messages) are encoded here; values, error data and
 * log lines come from their shared encodings. The frame is built as bytes,
 * not text, because the socket wants bytes: a string frame would be
 * flattened and converted to UTF-8 once per session, which costs about as
 * much as encoding it.
 *
 * The frame is the JSON text `encode` gives for the same message, field for
 * field in the same order. Frames over the chunking threshold are split by
 * `chunkTransition`, not here.
 */
import type {
  StateModification,
  StateVersion,
  Transition,
} from './messages.ts';
import { encodeTimestamp } from './timestamp.ts';
import { encodedValue } from './encoded-value.ts';
import { unreachable } from '../lib/assert.ts';

/** Text to write as UTF-8, or bytes encoded once elsewhere, in frame order. */
type Part = string | Uint8Array;

export function encodeTransition(transition: Transition): Buffer {
  const parts: Part[] = [];
  let text =
    `{"type":"Transition","startVersion":${version(transition.startVersion)}` +
    `,"endVersion":${version(transition.endVersion)},"modifications":[`;
  let first = true;
  for (const modification of transition.modifications) {
    if (!first) text += ',';
    first = false;
    text = modificationParts(modification, text, parts);
  }
  text += ']';
  if (transition.clientClockSkew !== undefined)
    text += `,"clientClockSkew":${json(transition.clientClockSkew)}`;
  if (transition.serverTs !== undefined)
    text += `,"serverTs":${json(transition.serverTs)}`;
  parts.push(`${text}}`);
  return join(parts);
}

/**
 * One modification, continuing `text`: every shared encoding closes the
 * text before it into `parts`. Returns the text after the last one.
 */
function modificationParts(
  modification: StateModification,
  text: string,
  parts: Part[],
): string {
  const head = `${text}{"type":"${modification.type}","queryId":${json(modification.queryId)}`;
  switch (modification.type) {
    case 'QueryRemoved':
      return `${head}}`;
    case 'QueryUpdated':
      parts.push(
        `${head},"value":`,
        encodedValue(modification.value),
        ',"logLines":',
        encodedValue(modification.logLines),
      );
      return `,"journal":${json(modification.journal)}}`;
    case 'QueryFailed': {
      parts.push(
        `${head},"errorMessage":${json(modification.errorMessage)},"logLines":`,
        encodedValue(modification.logLines),
      );
      const journal = `,"journal":${json(modification.journal)}`;
      if (modification.errorData === undefined) return `${journal}}`;
      parts.push(
        `${journal},"errorData":`,
        encodedValue(modification.errorData),
      );
      return '}';
    }
    default:
      return unreachable(modification);
  }
}

function version(v: StateVersion): string {
  return `{"querySet":${json(v.querySet)},"identity":${json(v.identity)},"ts":"${encodeTimestamp(v.ts)}"}`;
}

/** A scalar field's JSON: numbers, strings and null, never undefined here. */
function json(scalar: number | string | null): string {
  return JSON.stringify(scalar);
}

/** The parts as one buffer: text written as UTF-8, bytes copied. */
function join(parts: Part[]): Buffer {
  let length = 0;
  for (const part of parts)
    length +=
      typeof part === 'string' ? Buffer.byteLength(part) : part.byteLength;
  // Not from Node's shared 8 KiB pool: a frame is garbage once sent, and
  // its slice would spread the pool's long-lived users (index keys held in
  // read sets) over more slabs, each kept whole by the few it holds.
  const frame = Buffer.allocUnsafeSlow(length);
  let offset = 0;
  for (const part of parts) {
    if (typeof part === 'string') offset += frame.write(part, offset);
    else {
      frame.set(part, offset);
      offset += part.byteLength;
    }
  }
  return frame;
}
