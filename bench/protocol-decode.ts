/**
 * Benchmark of `decode` (src/protocol/decode.ts) against bare `JSON.parse` of
 * the same frames, per client message type, in the same process.
 *
 * The ratio decode/JSON.parse says what share of the unavoidable parsing
 * speed is left once validation and value conversion are added; it is less
 * sensitive to the machine than the raw frames/s. Each round times both
 * sides back to back, alternating which goes first so that drift (thermal,
 * GC, other load) hits both equally; the median over rounds is reported.
 *
 * Before any timing, every type's frames go through both sides for half a
 * measurement: the JIT then sees all message types, as a live server does,
 * instead of one type specialised at a time.
 */
import { Buffer } from 'node:buffer';
import { hrtime } from 'node:process';
import { clientMessageTypes } from '../generated/types.ts';
import { decode } from '../src/protocol/decode.ts';
import { type ClientMessageType, type Workload, workloads } from './frames.ts';

export type DecodeBenchRow = {
  label: string;
  type: ClientMessageType;
  frames: number;
  bytesPerFrame: number;
  jsonParseFramesPerSecond: number;
  decodeFramesPerSecond: number;
  ratio: number;
  roundsJsonParse: number[];
  roundsDecode: number[];
};

export type DecodeBenchResult = {
  durationMs: number;
  rounds: number;
  rows: DecodeBenchRow[];
};

type Side = (frame: string) => boolean;

/** Frames between two reads of the clock: keeps the clock's cost under 0.1%. */
const framesPerClockRead = 256;

const jsonParseSide: Side = (frame) => JSON.parse(frame) !== null;
const decodeSide: Side = (frame) => decode(frame).success;

export function benchProtocolDecode(options: {
  durationMs: number;
  rounds: number;
}): DecodeBenchResult {
  const all = workloads(clientMessageTypes);
  for (const { type, frames } of all) assertDecodes(type, frames);
  for (const { frames } of all) {
    const warmupMs = options.durationMs / 2;
    measure(jsonParseSide, frames, { durationMs: warmupMs });
    measure(decodeSide, frames, { durationMs: warmupMs });
  }
  const rows = all.map((workload) => benchWorkload(workload, options));
  return { durationMs: options.durationMs, rounds: options.rounds, rows };
}

function assertDecodes(type: ClientMessageType, frames: string[]): void {
  for (const frame of frames) {
    const result = decode(frame);
    if (!result.success)
      throw new Error(
        `a ${type} bench frame does not decode (${result.error.message}): ${frame}`,
      );
    if (result.message.type !== type)
      throw new Error(
        `a ${type} bench frame decodes as ${result.message.type}: ${frame}`,
      );
  }
}

function benchWorkload(
  { label, type, frames }: Workload,
  options: { durationMs: number; rounds: number },
): DecodeBenchRow {
  const roundsJsonParse: number[] = [];
  const roundsDecode: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    const decodeFirst = round % 2 === 1;
    if (decodeFirst) roundsDecode.push(measure(decodeSide, frames, options));
    roundsJsonParse.push(measure(jsonParseSide, frames, options));
    if (!decodeFirst) roundsDecode.push(measure(decodeSide, frames, options));
  }
  const jsonParseFramesPerSecond = median(roundsJsonParse);
  const decodeFramesPerSecond = median(roundsDecode);
  return {
    label,
    type,
    frames: frames.length,
    bytesPerFrame: averageBytes(frames),
    jsonParseFramesPerSecond,
    decodeFramesPerSecond,
    ratio: decodeFramesPerSecond / jsonParseFramesPerSecond,
    roundsJsonParse,
    roundsDecode,
  };
}

/** Frames per second of `side`, cycling through `frames` for the budget. */
function measure(
  side: Side,
  frames: string[],
  options: { durationMs: number },
): number {
  const passesPerClockRead = Math.ceil(framesPerClockRead / frames.length);
  const budget = BigInt(Math.round(options.durationMs * 1e6));
  let accepted = 0;
  let done = 0;
  const start = hrtime.bigint();
  let elapsed = 0n;
  do {
    for (let pass = 0; pass < passesPerClockRead; pass++) {
      for (const frame of frames) if (side(frame)) accepted++;
    }
    done += passesPerClockRead * frames.length;
    elapsed = hrtime.bigint() - start;
  } while (elapsed < budget);
  if (accepted !== done)
    throw new Error(`${done - accepted} of ${done} frames were rejected`);
  return done / (Number(elapsed) / 1e9);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  if (sorted.length % 2 === 1) return upper;
  return ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

function averageBytes(frames: string[]): number {
  const total = frames.reduce(
    (sum, frame) => sum + Buffer.byteLength(frame, 'utf8'),
    0,
  );
  return Math.round(total / frames.length);
}
