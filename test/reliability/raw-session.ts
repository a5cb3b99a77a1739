/**
 * A sync session held over a bare `ws` socket: `Connect`, then one
 * `ModifyQuerySet` adding its query (or queries), as the official client
 * opens every socket (convex-protocol.md §2.1, §2.2). The load test and the
 * bench hold thousands of these where thousands of official clients would
 * cost their own process more than the server; the slow-consumer test
 * pauses one to stop reading.
 *
 * It reads frames only as far as it must: the first Transition proves the
 * subscription is held; later frames are counted and, on request, kept.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

export interface RawSession {
  /** Resolves once the socket is open and the subscription sent. */
  opened: Promise<void>;
  /** Resolves with the first Transition's text once it arrives; rejects if the socket fails or closes first. */
  subscribed: Promise<string>;
  /** Transitions received so far (chunks counted once, on their last part). */
  transitions(): number;
  /** Bytes of text received so far. */
  receivedBytes(): number;
  /** Whether the socket is still open. */
  isOpen(): boolean;
  /** Resolves with the close code and reason, however the socket closes. */
  closed: Promise<{ code: number; reason: string }>;
  /** Stops taking bytes off the TCP socket: the kernel's buffers fill, then the server's. */
  stopReading(): void;
  resumeReading(): void;
  close(): void;
}

export interface RawQuery {
  udfPath: string;
  args: Record<string, unknown>;
}

export function openRawSession(
  url: string,
  query: RawQuery | readonly RawQuery[],
): RawSession {
  const queries: readonly RawQuery[] = 'udfPath' in query ? [query] : query;
  const socket = new WebSocket(
    `${url.replace(/^http/, 'ws')}/api/1.48.0/sync`,
    { perMessageDeflate: false },
  );
  let transitions = 0;
  let receivedBytes = 0;
  const subscribed = new Promise<string>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('close', (code) =>
      reject(new Error(`the session closed (${code}) before its Transition`)),
    );
    socket.on('message', (data: Buffer) => {
      receivedBytes += data.length;
      // A Transition, or the last part of a chunked one; skip Pings cheaply.
      const text = data.toString('utf8', 0, 64);
      if (
        text.startsWith('{"type":"Transition"') ||
        (text.startsWith('{"type":"TransitionChunk"') && isLastChunk(data))
      ) {
        transitions += 1;
        if (transitions === 1) resolve(data.toString('utf8'));
      }
    });
  });
  // Settled either way; callers that care await it.
  subscribed.catch(() => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) =>
      resolve({ code, reason: reason.toString('utf8') }),
    ),
  );
  const opened = new Promise<void>((resolve) => socket.once('open', resolve));
  opened.catch(() => undefined);
  socket.once('open', () => {
    socket.send(
      JSON.stringify({
        type: 'Connect',
        sessionId: randomUUID(),
        connectionCount: 0,
        lastCloseReason: 'InitialConnect',
        clientTs: Date.now(),
      }),
    );
    socket.send(
      JSON.stringify({
        type: 'ModifyQuerySet',
        baseVersion: 0,
        newVersion: 1,
        modifications: queries.map((added, queryId) => ({
          type: 'Add',
          queryId,
          udfPath: added.udfPath,
          args: [added.args],
        })),
      }),
    );
  });
  return {
    opened,
    subscribed,
    transitions: () => transitions,
    receivedBytes: () => receivedBytes,
    closed,
    isOpen: () => socket.readyState === WebSocket.OPEN,
    stopReading: () => socket.pause(),
    resumeReading: () => socket.resume(),
    close: () => socket.terminate(),
  };
}

function isLastChunk(data: Buffer): boolean {
  const { partNumber, totalParts } = JSON.parse(data.toString('utf8')) as {
    partNumber: number;
    totalParts: number;
  };
  return partNumber === totalParts - 1;
}
