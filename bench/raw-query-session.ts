/**
 * A sync session over a bare `ws` socket holding many queries at once:
 * `Connect`, then one `ModifyQuerySet` adding them all, as the official
 * client sends its first query set (convex-protocol.md §2.1, §2.2). W6
 * holds its 10,000 unrelated subscriptions on a few of these, since as
 * many official clients would load the bench process more than the
 * server; the server keeps each query as it would an official client's.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

export interface RawQuerySession {
  /** Resolves once the Transition answering the query set has arrived. */
  subscribed: Promise<void>;
  close(): void;
}

export function openRawQuerySession(
  url: string,
  queries: readonly { udfPath: string; args: Record<string, unknown> }[],
): RawQuerySession {
  const socket = new WebSocket(
    `${url.replace(/^http/, 'ws')}/api/1.48.0/sync`,
    { perMessageDeflate: false },
  );
  const subscribed = new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('close', (code) =>
      reject(new Error(`the session closed (${code}) before its Transition`)),
    );
    socket.on('message', (data: Buffer) => {
      // A Transition, or the last part of a chunked one; Pings are skipped.
      const head = data.toString('utf8', 0, 64);
      if (
        head.startsWith('{"type":"Transition"') ||
        (head.startsWith('{"type":"TransitionChunk"') && isLastChunk(data))
      )
        resolve();
    });
  });
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
        modifications: queries.map((query, queryId) => ({
          type: 'Add',
          queryId,
          udfPath: query.udfPath,
          args: [query.args],
        })),
      }),
    );
  });
  return { subscribed, close: () => socket.terminate() };
}

function isLastChunk(data: Buffer): boolean {
  const { partNumber, totalParts } = JSON.parse(data.toString('utf8')) as {
    partNumber: number;
    totalParts: number;
  };
  return partNumber === totalParts - 1;
}
