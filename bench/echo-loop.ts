/**
 * The raw echo baselines in a closed loop: `sockets` `ws` sockets, each
 * sending a frame of `frameBytes` to a route of the raw server and the
 * next once it is back: `/echo` for a bare round trip (W1), `/echo-commit`
 * for one that commits a SQLite insert first (W2, W3, W10).
 */
import type { BaselineServer } from './baseline-server.ts';
import { type ThroughputResult, closedLoop } from './closed-loop.ts';
import { openRawSockets, paddedFrame } from './raw-sockets.ts';
import type { Timing } from './timing.ts';

export async function echoLoop(
  raw: BaselineServer,
  route: '/echo' | '/echo-commit',
  options: { sockets: number; frameBytes: number; timing: Timing },
): Promise<ThroughputResult> {
  const sockets = await openRawSockets(raw.wsUrl(route), options.sockets);
  const frame = paddedFrame(options.frameBytes);
  try {
    return await closedLoop({
      ...options.timing,
      workers: options.sockets,
      serverCpuMs: raw.cpuMs,
      op: async (worker) => {
        const socket = sockets[worker];
        if (!socket) throw new Error(`no socket ${worker}`);
        const arrived = socket.until(socket.received() + 1);
        socket.send(frame);
        await arrived;
      },
    });
  } finally {
    for (const socket of sockets) socket.close();
  }
}
