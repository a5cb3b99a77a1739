/**
 * A throwaway WebSocket listener on port 0 (uWebSockets.js) that records every
 * frame a client sends and lets a test answer with frames of its choosing.
 *
 * It knows nothing of the protocol: tests script the conversation. It is not
 * the Converge server; it exists to put the official client on the other end
 * of the generated validators and of `encode`.
 */
import type { WebSocket, us_listen_socket } from 'uWebSockets.js';
import { uws } from '../../src/ws/uws.ts';

export interface ReceivedFrame {
  text: string;
  json: unknown;
  isBinary: boolean;
}

export interface ScriptedSyncServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`: what the client is pointed at. */
  url: string;
  /** The request paths of every upgrade, in order. */
  upgrades: string[];
  /** Every frame received so far, in order. */
  frames: ReceivedFrame[];
  /** Resolves with the first frame (already received or not) that satisfies `match`. */
  waitForFrame(
    match: (json: unknown) => boolean,
    timeoutMs?: number,
  ): Promise<ReceivedFrame>;
  /** Sends a text frame to the most recently opened socket. */
  send(text: string): void;
}

interface SocketData {
  path: string;
}

export async function startScriptedSyncServer(): Promise<ScriptedSyncServer> {
  const frames: ReceivedFrame[] = [];
  const upgrades: string[] = [];
  const sockets = new Set<WebSocket<SocketData>>();
  let latest: WebSocket<SocketData> | undefined;
  const waiters = new Set<() => void>();

  const app = uws
    .App()
    .ws<SocketData>('/*', {
      upgrade(res, req, context) {
        const path = req.getUrl();
        upgrades.push(path);
        res.upgrade<SocketData>(
          { path },
          req.getHeader('sec-websocket-key'),
          req.getHeader('sec-websocket-protocol'),
          req.getHeader('sec-websocket-extensions'),
          context,
        );
      },
      open(ws) {
        sockets.add(ws);
        latest = ws;
      },
      message(_ws, message, isBinary) {
        const text = Buffer.from(message).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        frames.push({ text, json, isBinary });
        for (const wake of waiters) wake();
      },
      close(ws) {
        sockets.delete(ws);
        if (latest === ws) latest = undefined;
      },
    })
    .any('/*', (res) => {
      res.writeStatus('404 Not Found').end();
    });

  const listenSocket = await new Promise<us_listen_socket>(
    (resolve, reject) => {
      app.listen('127.0.0.1', 0, (socket) => {
        if (socket) resolve(socket);
        else reject(new Error('could not listen on 127.0.0.1'));
      });
    },
  );
  const port = uws.us_socket_local_port(listenSocket);

  return {
    url: `http://127.0.0.1:${port}`,
    upgrades,
    frames,
    waitForFrame(match, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = frames.find((frame) => match(frame.json));
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const seen = frames.map((f) => f.text).join('\n  ');
          reject(
            new Error(
              `no matching frame within ${timeoutMs} ms; received:\n  ${seen}`,
            ),
          );
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    send(text) {
      if (!latest) throw new Error('no client socket is open');
      latest.send(text, false);
    },
    [Symbol.asyncDispose]() {
      for (const ws of sockets) ws.close();
      uws.us_listen_socket_close(listenSocket);
      return Promise.resolve();
    },
  };
}
