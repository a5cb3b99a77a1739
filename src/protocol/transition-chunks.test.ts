import { expect, test } from 'vitest';
import { serverMessageValidators } from '../../generated/validators.js';
import { MAX_TRANSITION_BYTES, chunkTransition } from './transition-chunks.ts';

interface Chunk {
  chunk: string;
  partNumber: number;
  totalParts: number;
  transitionId: string;
}

function parts(frames: string[]): Chunk[] {
  return frames.map((frame) => JSON.parse(frame) as Chunk);
}

test('chunkTransition() leaves a frame under the threshold whole', () => {
  const frame = JSON.stringify({ type: 'Transition', big: 'x'.repeat(1000) });
  expect(chunkTransition(frame)).toEqual([frame]);
  expect(
    chunkTransition(frame, { maxBytes: Buffer.byteLength(frame) }),
  ).toEqual([frame]);
});

test('chunkTransition() uses the backend threshold of 5,000,000 bytes by default', () => {
  const fits = JSON.stringify({ v: 'x'.repeat(MAX_TRANSITION_BYTES - 10) });
  expect(Buffer.byteLength(fits)).toBeLessThanOrEqual(MAX_TRANSITION_BYTES);
  expect(chunkTransition(fits)).toHaveLength(1);
  const over = JSON.stringify({ v: 'x'.repeat(MAX_TRANSITION_BYTES) });
  const frames = chunkTransition(over);
  expect(frames).toHaveLength(2);
  expect(
    parts(frames)
      .map((p) => p.chunk)
      .join(''),
  ).toBe(over);
});

test('chunkTransition() cuts on UTF-8 character boundaries, within the byte limit', () => {
  // 2-, 3- and 4-byte characters, so that cuts land inside characters unless avoided.
  const frame = JSON.stringify({ v: 'é€😀'.repeat(400) });
  const maxBytes = 101;
  const frames = chunkTransition(frame, { maxBytes });
  const chunks = parts(frames);

  expect(chunks.length).toBeGreaterThan(10);
  expect(chunks.map((c) => c.chunk).join('')).toBe(frame);
  for (const [i, c] of chunks.entries()) {
    expect(Buffer.byteLength(c.chunk)).toBeLessThanOrEqual(maxBytes);
    expect(c.chunk).not.toContain('\uFFFD');
    expect(c.partNumber).toBe(i);
    expect(c.totalParts).toBe(chunks.length);
    // The backend's transitionId is the byte length of the whole JSON text.
    expect(c.transitionId).toBe(String(Buffer.byteLength(frame)));
  }
  for (const f of frames)
    expect(serverMessageValidators.TransitionChunk(JSON.parse(f))).toBe(true);
});

test('chunkTransition() refuses a limit smaller than one UTF-8 character', () => {
  expect(() => chunkTransition('{"a":1}', { maxBytes: 3 })).toThrow(RangeError);
});
