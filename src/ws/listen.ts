/**
 * listen: binds a uWebSockets.js app to a host and port (0: any free one)
 * and gives back the port it got and an idempotent close of the listener.
 * Closing stops new connections; open ones are their owners' to end.
 */
import type { TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import { uws } from './uws.ts';

export interface Listening {
  port: number;
  close(): void;
}

export async function listen(
  app: TemplatedApp,
  host: string,
  port: number,
): Promise<Listening> {
  const socket = await new Promise<us_listen_socket>((resolve, reject) => {
    app.listen(host, port, (listenSocket) => {
      if (listenSocket) resolve(listenSocket);
      else reject(new Error(`cannot listen on ${host}:${port}`));
    });
  });
  let open = true;
  return {
    port: uws.us_socket_local_port(socket),
    close: () => {
      if (!open) return;
      open = false;
      uws.us_listen_socket_close(socket);
    },
  };
}
