/**
 * The raw uWebSockets.js server the workloads compare Converge with, run
 * as a child process (`node --import tsx bench/baselines/raw-server.ts
 * --data DIR`) so that it, like the server under test, has a core of its
 * own. It prints `listening <port>` once it listens on 127.0.0.1, and stops
 * on SIGTERM. Nothing is parsed or validated on the WebSocket routes: each
 * is the least a server can do to play its part.
 *
 * - `/echo`: each frame sent back to its sender.
 * - `/echo-commit`: each frame sent back once one raw SQLite insert
 *   transaction has committed (raw-sqlite.ts), as a mutation commits
 *   before it answers.
 * - `/relay`: each frame forwarded to every other socket of the route.
 * - `/publish/subscribe` and `/publish/send`: a frame sent on the second
 *   is published to every socket of the first, through a uWS topic.
 * - `POST /route?bytes=N`: the JSON body read and parsed, answered with a
 *   JSON body of N bytes.
 */
import { parseArgs } from 'node:util';
import { uws } from '../../src/ws/uws.ts';
import { openRawSqlite } from './raw-sqlite.ts';

const { values } = parseArgs({
  options: { data: { type: 'string' } },
});
if (values.data === undefined) throw new Error('raw-server: --data DIR');
const sqlite = openRawSqlite(values.data);

/**
 * Limits as large as the sync socket's (src/ws/sync-route.ts), so that a
 * baseline frame of any size Converge sends passes: uWS's defaults would
 * close a socket sending over 16 KiB.
 */
const LIMITS = {
  maxPayloadLength: 32 * 1024 * 1024,
  maxBackpressure: 64 * 1024 * 1024,
};

const RELAY = 'relay';
const PUBLISH = 'publish';

const app = uws.App();
app.ws('/echo', {
  ...LIMITS,
  message: (ws, message, isBinary) => {
    ws.send(message, isBinary);
  },
});
app.ws('/echo-commit', {
  ...LIMITS,
  message: (ws, message, isBinary) => {
    sqlite.commitOne();
    ws.send(message, isBinary);
  },
});
app.ws('/relay', {
  ...LIMITS,
  open: (ws) => {
    ws.subscribe(RELAY);
  },
  message: (ws, message, isBinary) => {
    ws.publish(RELAY, message, isBinary);
  },
});
app.ws('/publish/subscribe', {
  ...LIMITS,
  open: (ws) => {
    ws.subscribe(PUBLISH);
  },
});
app.ws('/publish/send', {
  ...LIMITS,
  message: (_ws, message, isBinary) => {
    app.publish(PUBLISH, message, isBinary);
  },
});

const bodies = new Map<number, string>();
/** A JSON body of exactly `bytes` bytes (at least the empty padding's 14). */
function bodyOf(bytes: number): string {
  let body = bodies.get(bytes);
  if (body === undefined) {
    body = `{"padding":"${'x'.repeat(Math.max(0, bytes - 14))}"}`;
    bodies.set(bytes, body);
  }
  return body;
}

app.post('/route', (res, req) => {
  const bytes = Number(new URLSearchParams(req.getQuery()).get('bytes') ?? 0);
  let aborted = false;
  res.onAborted(() => {
    aborted = true;
  });
  const chunks: Buffer[] = [];
  res.onData((chunk, isLast) => {
    chunks.push(Buffer.from(chunk.slice(0)));
    if (!isLast || aborted) return;
    JSON.parse(Buffer.concat(chunks).toString('utf8'));
    res.cork(() => {
      res
        .writeStatus('200 OK')
        .writeHeader('content-type', 'application/json')
        .end(bodyOf(bytes));
    });
  });
});

app.listen('127.0.0.1', 0, (listenSocket) => {
  if (!listenSocket) throw new Error('raw-server: cannot listen');
  process.stdout.write(`listening ${uws.us_socket_local_port(listenSocket)}\n`);
  process.once('SIGTERM', () => {
    uws.us_listen_socket_close(listenSocket);
    sqlite.close();
    process.exit(0);
  });
});
