/**
 * The sync socket over uWebSockets.js: `/api/<version>/sync` and
 * `/api/sync` upgrade to a WebSocket whose frames go to a SyncConnection
 * (convex-protocol.md §1). This file only adapts uWS to SyncSocket: the
 * protocol lives in src/protocol and src/sync.
 *
 * Sizes: a frame may carry a mutation's 16 MiB of arguments and its
 * encoding, so the payload limit is well above that. A client that stops
 * reading is the connection's to close (1013 `ClientNotReading`, see
 * SendBacklog), after about a megabyte and 20 s; 64 MiB of unsent data is
 * only the transport's last resort against one enormous burst. A closed
 * socket's close frame queues behind what it still buffers, and uWS drops
 * the connection if that has not left within its ping timeout (about 16 s).
 * uWS also pings at the WebSocket level and closes sockets silent for two
 * minutes, as the real backend does.
 */
import type { WebSocket, WebSocketBehavior } from 'uWebSockets.js';
import { parseSemver } from '../protocol/semver.ts';
import type { SyncConnection, SyncSocket } from '../sync/sync-connection.ts';
import type { SyncServer } from '../sync/sync-server.ts';
import { uws } from './uws.ts';

interface SocketData {
  clientVersion: string | null;
  connection: SyncConnection | null;
}

const MAX_PAYLOAD_BYTES = 32 * 1024 * 1024;
const MAX_BACKPRESSURE_BYTES = 64 * 1024 * 1024;
/** Convex's `CLIENT_TIMEOUT`: 120 s without anything received (pongs count). */
const IDLE_TIMEOUT_S = 120;

/**
 * Frames are decoded straight from uWS's buffer, with no Buffer made around
 * it; a byte-order mark is kept, as the frame's text (decode refuses it).
 */
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

export const SYNC_PATHS = ['/api/:version/sync', '/api/sync'] as const;

export function syncBehavior(sync: SyncServer): WebSocketBehavior<SocketData> {
  return {
    maxPayloadLength: MAX_PAYLOAD_BYTES,
    maxBackpressure: MAX_BACKPRESSURE_BYTES,
    closeOnBackpressureLimit: 1,
    idleTimeout: IDLE_TIMEOUT_S,
    sendPingsAutomatically: true,
    compression: uws.DISABLED,
    upgrade: (res, req, context) => {
      const version = req.getParameter(0) ?? '';
      // convex-protocol.md §1.1: the URL's client version must be semver.
      if (version !== '' && parseSemver(version) === null) {
        res.cork(() => {
          res
            .writeStatus('400 Bad Request')
            .writeHeader('content-type', 'application/json')
            .end(
              JSON.stringify({
                code: 'InvalidVersion',
                message: `Failed to parse client version: "${version}" is not a semantic version`,
              }),
            );
        });
        return;
      }
      res.upgrade<SocketData>(
        {
          clientVersion: version === '' ? null : version,
          connection: null,
        },
        req.getHeader('sec-websocket-key'),
        req.getHeader('sec-websocket-protocol'),
        req.getHeader('sec-websocket-extensions'),
        context,
      );
    },
    open: (ws) => {
      const data = ws.getUserData();
      data.connection = sync.connect(new UwsSyncSocket(ws), {
        clientVersion: data.clientVersion,
      });
      // Read once, for the connection's choice of chunking.
      data.clientVersion = null;
    },
    message: (ws, message, isBinary) => {
      const { connection } = ws.getUserData();
      if (!connection) return;
      if (isBinary) connection.receiveBinary();
      else connection.receive(utf8.decode(message));
    },
    drain: (ws) => {
      ws.getUserData().connection?.drained();
    },
    close: (ws) => {
      const data = ws.getUserData();
      if (data.connection) sync.disconnect(data.connection);
      data.connection = null;
    },
  };
}

/**
 * A uWS socket as a SyncSocket: one small object per socket, no closures
 * (10,000 idle sockets hold 10,000 of these). A socket this side closed is
 * never touched again: uWS throws on a closed socket.
 */
class UwsSyncSocket implements SyncSocket {
  readonly #ws: WebSocket<SocketData>;
  #open = true;

  constructor(ws: WebSocket<SocketData>) {
    this.#ws = ws;
  }

  send(frame: string | Uint8Array): void {
    if (this.#open) this.#ws.send(frame, false, false);
  }

  bufferedBytes(): number {
    return this.#open ? this.#ws.getBufferedAmount() : 0;
  }

  cork(write: () => void): void {
    if (this.#open) this.#ws.cork(write);
    else write();
  }

  close(code: number | null, reason: string): void {
    if (!this.#open) return;
    this.#open = false;
    // Ended inside a cork, uWS sends the close frame without its own FIN, so
    // the client, answering it, closes the connection first and keeps the
    // TIME_WAIT. A server-side TIME_WAIT would keep a listener asked for
    // port 0 off that port for a minute: uWS sets SO_REUSEADDR only on a
    // listener given a port number.
    this.#ws.cork(() => {
      if (code === null) this.#ws.end();
      else this.#ws.end(code, reason.slice(0, 123));
    });
  }
}
