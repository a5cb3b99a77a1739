/**
 * A round-robin TCP load balancer for tests and the bench: one loopback
 * port in front of several Converge processes, as any layer-4 balancer
 * would put them. Each accepted connection goes to the next backend of the
 * list; a backend that refuses it (a process stopped or killed, its
 * listener closed by a drain) is skipped for the one after it, and when
 * every backend refuses, the connection is dropped, as a balancer with no
 * live backend drops it.
 *
 * It forwards bytes and nothing else: HTTP requests and WebSocket upgrades
 * alike reach the backend untouched, so the official client speaks to the
 * processes through it exactly as it would directly. It does no health
 * checks (a backend is live when it accepts), sets no connect timeout
 * (refusals on loopback are immediate), and never moves a connection once
 * forwarded: what ends a backend's connections is the backend.
 *
 * Backends can be removed and added while it runs; a removed backend gets
 * no new connections and keeps the ones it has.
 */
import { type AddressInfo, type Socket, connect, createServer } from 'node:net';

export interface TcpBalancer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`: where clients connect. */
  url: string;
  port: number;
  /** The backends new connections may go to, in round-robin order. */
  backends(): readonly string[];
  /** `host:port`, or a URL whose host and port are taken; added at the end of the order. */
  add(backend: string): void;
  /** No new connection goes to it; the ones it has stay. */
  remove(backend: string): void;
  /** How many connections each backend has accepted so far. */
  accepted(): ReadonlyMap<string, number>;
  /** Stops listening and cuts every forwarded connection. */
  close(): Promise<void>;
}

/** `backends`: `host:port` strings or URLs (`http://127.0.0.1:3210`). */
export async function startTcpBalancer(
  backends: readonly string[],
): Promise<TcpBalancer> {
  let order = backends.map(hostPortOf);
  let next = 0;
  const accepted = new Map<string, number>();
  const sockets = new Set<Socket>();

  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  /** Tries the backends from the next in turn; calls `done` with a connected one, or null. */
  const pickBackend = (
    done: (upstream: Socket | null, backend: string) => void,
  ): void => {
    const candidates = order.length;
    const start = next;
    next = candidates === 0 ? 0 : (next + 1) % candidates;
    const attempt = (tried: number): void => {
      const backend = order[(start + tried) % candidates];
      if (tried >= candidates || backend === undefined) {
        done(null, '');
        return;
      }
      const { host, port } = splitHostPort(backend);
      const upstream = connect({ host, port, allowHalfOpen: true });
      const refused = (): void => {
        upstream.destroy();
        attempt(tried + 1);
      };
      upstream.once('error', refused);
      upstream.once('connect', () => {
        upstream.off('error', refused);
        done(upstream, backend);
      });
    };
    attempt(0);
  };

  const server = createServer({ allowHalfOpen: true }, (client) => {
    track(client);
    client.pause();
    // Until it is paired, a client that goes away needs no more than closing.
    const earlyError = (): void => {
      client.destroy();
    };
    client.on('error', earlyError);
    pickBackend((upstream, backend) => {
      if (upstream === null || client.destroyed) {
        upstream?.destroy();
        client.destroy();
        return;
      }
      track(upstream);
      accepted.set(backend, (accepted.get(backend) ?? 0) + 1);
      client.off('error', earlyError);
      // Either side failing ends both: a reset is passed on as a reset.
      const cut = (): void => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', cut);
      upstream.on('error', cut);
      client.on('close', cut);
      upstream.on('close', cut);
      // pipe() passes each side's end on as the other's: half-closes survive.
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  const close = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) =>
      server.close(() => resolve()),
    );
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    backends: () => [...order],
    add(backend) {
      order = [...order, hostPortOf(backend)];
    },
    remove(backend) {
      const removed = hostPortOf(backend);
      order = order.filter((each) => each !== removed);
      next = order.length === 0 ? 0 : next % order.length;
    },
    accepted: () => new Map(accepted),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** `host:port` of a `host:port` string or a URL. */
function hostPortOf(backend: string): string {
  if (!backend.includes('://')) return backend;
  const url = new URL(backend);
  return `${url.hostname}:${url.port}`;
}

function splitHostPort(backend: string): { host: string; port: number } {
  const colon = backend.lastIndexOf(':');
  return {
    host: backend.slice(0, colon).replace(/^\[|\]$/g, ''),
    port: Number(backend.slice(colon + 1)),
  };
}
