/**
 * The clients of the raw baselines: plain `ws` sockets (no compression, as
 * the server under test has none) that count the frames they receive, and
 * frames padded to the size of what Converge sent for the same operation.
 */
import WebSocket from 'ws';

export interface RawSocket {
  send(frame: string): void;
  /** Frames received so far. */
  received(): number;
  /** Resolves once `count` frames in all have been received. */
  until(count: number): Promise<void>;
  close(): void;
}

export function openRawSocket(url: string): Promise<RawSocket> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  let received = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  socket.on('message', () => {
    received += 1;
    for (let i = waiters.length - 1; i >= 0; i--) {
      const waiter = waiters[i];
      if (waiter && waiter.count <= received) {
        waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  });
  const raw: RawSocket = {
    send: (frame) => socket.send(frame),
    received: () => received,
    until: (count) =>
      count <= received
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ count, resolve })),
    close: () => socket.terminate(),
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(raw));
    socket.once('error', reject);
  });
}

/** `count` sockets to `url`, opened `batch` at a time so the listener's backlog never overflows. */
export async function openRawSockets(
  url: string,
  count: number,
  batch = 200,
): Promise<RawSocket[]> {
  const sockets: RawSocket[] = [];
  for (let i = 0; i < count; i += batch)
    sockets.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(batch, count - i) }, () =>
          openRawSocket(url),
        ),
      )),
    );
  return sockets;
}

/** A JSON text frame of exactly `bytes` bytes (or its empty form, if larger). */
export function paddedFrame(bytes: number): string {
  const empty = '{"type":"Bench","padding":""}';
  return `{"type":"Bench","padding":"${'x'.repeat(Math.max(0, Math.round(bytes) - empty.length))}"}`;
}
