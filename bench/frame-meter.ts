/**
 * A `ws` WebSocket for the official client that counts the frames and bytes
 * the server sends it: pass `meter.webSocketConstructor` as the client's
 * `webSocketConstructor`. Every client of a meter adds to the same counts.
 *
 * The baselines use it to size their frames: a raw echo, relay or publish
 * carries one frame as large as all the server sent per operation, so the
 * raw path moves at least the bytes Converge moved.
 */
import type { ConvexClientOptions } from 'convex/browser';
import WebSocket from 'ws';

export interface FrameMeter {
  receivedFrames(): number;
  receivedBytes(): number;
  webSocketConstructor: NonNullable<
    ConvexClientOptions['webSocketConstructor']
  >;
}

export function frameMeter(): FrameMeter {
  let frames = 0;
  let bytes = 0;
  class MeteredWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols);
      this.on('message', (data: WebSocket.RawData) => {
        frames += 1;
        bytes += rawLength(data);
      });
    }
  }
  return {
    receivedFrames: () => frames,
    receivedBytes: () => bytes,
    webSocketConstructor:
      MeteredWebSocket as unknown as FrameMeter['webSocketConstructor'],
  };
}

function rawLength(data: WebSocket.RawData): number {
  if (Array.isArray(data))
    return data.reduce((sum, part) => sum + part.length, 0);
  return data.byteLength;
}

/**
 * Runs `op` `times` times, one after another, and returns the bytes the
 * server sent per run, as the meter counted them; doubles as a warm-up.
 */
export async function receivedBytesPerOp(
  meter: FrameMeter,
  times: number,
  op: (i: number) => Promise<unknown>,
): Promise<number> {
  const before = meter.receivedBytes();
  for (let i = 0; i < times; i++) await op(i);
  return Math.round((meter.receivedBytes() - before) / times);
}
