/**
 * tailFunctionLogs: the deployment's function runs as they finish, from
 * `GET /api/stream_function_logs` (the long poll `npx convex logs` uses: the
 * server answers as soon as a run ends after the cursor, or after 60 s with
 * nothing). The first answer brings the runs the server keeps (its last
 * 1,000). A failed poll is retried after a pause, and the tail says so
 * through `onStatus`; aborting the signal ends it.
 */
export interface LogEntry {
  udfType: 'Query' | 'Mutation' | 'Action' | 'HttpAction';
  identifier: string;
  logLines: string[];
  /** Seconds since the epoch, when the run ended. */
  timestamp: number;
  /** Seconds. */
  executionTime: number;
  error: string | null;
  requestId: string;
}

export type TailStatus =
  { state: 'live' } | { state: 'retrying'; reason: string };

/** Pause before polling again after a failure: a server restart takes about this long. */
const RETRY_MS = 2000;

export async function tailFunctionLogs(options: {
  origin: string;
  adminKey: string;
  signal: AbortSignal;
  onEntries: (entries: LogEntry[]) => void;
  onStatus: (status: TailStatus) => void;
}): Promise<void> {
  let cursor = 0;
  while (!options.signal.aborted) {
    try {
      const response = await fetch(
        `${options.origin}/api/stream_function_logs?cursor=${cursor}`,
        {
          headers: { authorization: `Convex ${options.adminKey}` },
          signal: options.signal,
        },
      );
      if (!response.ok)
        throw new Error(`the server answered ${response.status}`);
      const body = (await response.json()) as {
        entries: LogEntry[];
        newCursor: number;
      };
      cursor = body.newCursor;
      options.onStatus({ state: 'live' });
      if (body.entries.length > 0) options.onEntries(body.entries);
    } catch (error) {
      if (options.signal.aborted) return;
      options.onStatus({ state: 'retrying', reason: String(error) });
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}
