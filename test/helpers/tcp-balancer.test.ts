import { once } from 'node:events';
import { type Server, createServer as createHttpServer, get } from 'node:http';
import {
  type AddressInfo,
  type Socket,
  connect,
  createServer as createTcpServer,
} from 'node:net';
import { describe, expect, test } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { startTcpBalancer } from './tcp-balancer.ts';

/** An HTTP server on a loopback port answering its own name, closed on dispose. */
async function namedBackend(name: string) {
  const server = createHttpServer((_request, response) => {
    response.end(name);
  });
  return listening(server);
}

async function listening(server: Server | ReturnType<typeof createTcpServer>) {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    server,
    address: `127.0.0.1:${port}`,
    async [Symbol.asyncDispose]() {
      if ('closeAllConnections' in server) server.closeAllConnections();
      if (server.listening)
        await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback address nothing listens on: it refuses every connection. */
async function refusingAddress(): Promise<string> {
  await using closed = await listening(createTcpServer());
  const { address } = closed;
  return address;
}

/** One GET on a connection of its own: the body, or the error that ended it. */
function fetchOnce(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

async function names(url: string, count: number): Promise<string[]> {
  const answers: string[] = [];
  for (let i = 0; i < count; i++) answers.push(await fetchOnce(url));
  return answers;
}

describe('startTcpBalancer', () => {
  test('sends each new connection to the next backend in turn', async () => {
    await using a = await namedBackend('a');
    await using b = await namedBackend('b');
    await using balancer = await startTcpBalancer([a.address, b.address]);

    expect(await names(balancer.url, 4)).toEqual(['a', 'b', 'a', 'b']);
    expect(balancer.accepted()).toEqual(
      new Map([
        [a.address, 2],
        [b.address, 2],
      ]),
    );
  });

  test('takes backends as URLs too', async () => {
    await using a = await namedBackend('a');
    await using balancer = await startTcpBalancer([`http://${a.address}`]);
    expect(balancer.backends()).toEqual([a.address]);
    expect(await fetchOnce(balancer.url)).toBe('a');
  });

  test('skips a backend that refuses the connection, for the next one', async () => {
    const dead = await refusingAddress();
    await using a = await namedBackend('a');
    await using balancer = await startTcpBalancer([dead, a.address]);

    expect(await names(balancer.url, 3)).toEqual(['a', 'a', 'a']);
    expect(balancer.accepted().get(dead)).toBeUndefined();
  });

  test('a backend that stops listening is skipped from then on', async () => {
    await using a = await namedBackend('a');
    await using b = await namedBackend('b');
    await using balancer = await startTcpBalancer([a.address, b.address]);
    expect(await names(balancer.url, 2)).toEqual(['a', 'b']);

    await b[Symbol.asyncDispose]();
    expect(await names(balancer.url, 3)).toEqual(['a', 'a', 'a']);
  });

  test('backends removed and added while it runs take or stop taking new connections', async () => {
    await using a = await namedBackend('a');
    await using b = await namedBackend('b');
    await using balancer = await startTcpBalancer([a.address]);
    expect(await names(balancer.url, 2)).toEqual(['a', 'a']);

    balancer.add(b.address);
    expect(new Set(await names(balancer.url, 2))).toEqual(new Set(['a', 'b']));

    balancer.remove(a.address);
    expect(balancer.backends()).toEqual([b.address]);
    expect(await names(balancer.url, 2)).toEqual(['b', 'b']);
  });

  test('with every backend refusing, the connection is dropped', async () => {
    await using balancer = await startTcpBalancer([await refusingAddress()]);
    await expect(fetchOnce(balancer.url)).rejects.toThrow();
  });

  test('a client that half-closes still gets the answer the backend sends after', async () => {
    // Answers once the client has finished sending: the upper-cased whole.
    const shouter = createTcpServer({ allowHalfOpen: true }, (socket) => {
      let heard = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (heard += chunk));
      socket.on('end', () => socket.end(heard.toUpperCase()));
    });
    await using backend = await listening(shouter);
    await using balancer = await startTcpBalancer([backend.address]);

    const socket = connect({
      host: '127.0.0.1',
      port: balancer.port,
      allowHalfOpen: true,
    });
    await once(socket, 'connect');
    socket.end('quiet words');
    expect(await readAll(socket)).toBe('QUIET WORDS');
  });

  test('a WebSocket goes through untouched, both ways', async () => {
    await using backend = await listening(createHttpServer());
    const wss = new WebSocketServer({ server: backend.server as Server });
    wss.on('connection', (ws) => {
      ws.on('message', (data: Buffer) => {
        ws.send(`echo: ${data.toString('utf8')}`);
      });
    });
    await using balancer = await startTcpBalancer([backend.address]);

    const ws = new WebSocket(balancer.url.replace('http', 'ws'));
    await once(ws, 'open');
    ws.send('hello');
    const [reply] = (await once(ws, 'message')) as [Buffer];
    expect(String(reply)).toBe('echo: hello');
    ws.close(1000, 'done');
    const [code] = (await once(ws, 'close')) as [number];
    expect(code).toBe(1000);
    wss.close();
  });

  test('close cuts the connections it forwarded', async () => {
    const holder = createTcpServer((socket) => socket.write('held'));
    await using backend = await listening(holder);
    const balancer = await startTcpBalancer([backend.address]);
    const socket = connect({ host: '127.0.0.1', port: balancer.port });
    socket.on('error', () => {});
    await once(socket, 'data');

    await balancer.close();
    await once(socket, 'close');
    expect(socket.destroyed).toBe(true);
  });
});

function readAll(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}
