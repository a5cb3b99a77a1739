/**
 * followHealth: the server's Health figures as it pushes them
 * (`GET /api/dashboard/health`, a JSON line a second), read from the
 * response body as it streams. When the stream ends or fails (a restart, a
 * drain) it is opened again after a pause, and `onStatus` says so; aborting
 * the signal ends it.
 */
import type { TailStatus } from './log-tail.ts';

/** What one line says: the server's HealthSnapshot (src/http/health-stream.ts). */
export interface HealthSnapshot {
  at: number;
  process: {
    version: string;
    store: string;
    transport: string;
    uptimeSeconds: number;
    residentBytes: number;
    heapUsedBytes: number;
  };
  sync: { sessions: number; subscriptions: number; distinctQueries: number };
  commits: { perSecond: number; allProcessesPerSecond: number; total: number };
  occRetries: { perSecond: number; total: number };
  functions: {
    kind: string;
    runs: number;
    failed: number;
    p50Ms: number;
    p95Ms: number;
    p99Ms: number;
  }[];
}

/** Pause before opening the stream again: about a server restart. */
const RETRY_MS = 2000;

export async function followHealth(options: {
  origin: string;
  adminKey: string;
  signal: AbortSignal;
  onSnapshot: (snapshot: HealthSnapshot) => void;
  onStatus: (status: TailStatus) => void;
}): Promise<void> {
  const decoder = new TextDecoder();
  while (!options.signal.aborted) {
    let reason = 'the stream ended';
    try {
      const response = await fetch(`${options.origin}/api/dashboard/health`, {
        headers: { authorization: `Convex ${options.adminKey}` },
        signal: options.signal,
      });
      if (!response.ok || response.body === null)
        throw new Error(`the server answered ${response.status}`);
      options.onStatus({ state: 'live' });
      const reader = response.body.getReader();
      let buffered = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffered += decoder.decode(value, { stream: true });
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          options.onSnapshot(
            JSON.parse(buffered.slice(0, newline)) as HealthSnapshot,
          );
          buffered = buffered.slice(newline + 1);
        }
      }
    } catch (error) {
      reason = String(error);
    }
    if (options.signal.aborted) return;
    options.onStatus({ state: 'retrying', reason });
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}
