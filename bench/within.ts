/**
 * A wait with a limit: a workload whose update never comes fails with a
 * message saying what it waited for, instead of hanging the whole run.
 * The limits are far above any latency worth measuring; they only catch
 * a lost update.
 */

export async function within<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: nothing after ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** How long one operation or one update may take before the workload gives up on it. */
export const OPERATION_LIMIT_MS = 30_000;
