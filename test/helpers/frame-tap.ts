/**
 * A WebSocket for the official client that lets a test see what the server
 * sends, and lose it: pass `tap.webSocketConstructor` as the client's
 * `webSocketConstructor` option. A deafened socket stands in for a network
 * that loses what the server did send, until the connection is replaced.
 *
 * The socket underneath is `ws`, the library (and version) the Node build of
 * `convex/browser` bundles, so the client behaves as it does by default.
 */
import { createRequire } from 'node:module';

export interface FrameTap {
  /** The text of every frame the server sent, across the client's sockets, lost ones included. */
  received: string[];
  /** From now on the current socket delivers nothing to the client; later sockets are unaffected. */
  deafenCurrentSocket(): void;
  webSocketConstructor: typeof WebSocket;
}

type MessageListener = (event: { data: unknown }) => void;

const NodeWebSocket = createRequire(import.meta.url)('ws') as new (
  url: string,
) => object;
const onMessage = Object.getOwnPropertyDescriptor(
  NodeWebSocket.prototype,
  'onmessage',
);

export function frameTap(): FrameTap {
  const received: string[] = [];
  let deafenCurrent = (): void => {
    throw new Error('the client has not opened a socket yet');
  };
  function TappedWebSocket(url: string): object {
    const ws = new NodeWebSocket(url);
    let deaf = false;
    deafenCurrent = () => {
      deaf = true;
    };
    Object.defineProperty(ws, 'onmessage', {
      get: () => onMessage?.get?.call(ws) as unknown,
      set(listener: MessageListener | null) {
        onMessage?.set?.call(
          ws,
          listener &&
            ((event: { data: unknown }) => {
              received.push(String(event.data));
              if (!deaf) listener(event);
            }),
        );
      },
    });
    return ws;
  }
  return {
    received,
    deafenCurrentSocket: () => deafenCurrent(),
    webSocketConstructor: TappedWebSocket as unknown as typeof WebSocket,
  };
}
