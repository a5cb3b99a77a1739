/**
 * Polls until `check` passes, for work done in the background (a
 * scheduler's jobs, another process's commits): the last failure is
 * thrown once `timeoutMs` have passed. Every 20 ms, so that a test waits
 * little longer than the work takes.
 */
export async function eventually(
  check: () => Promise<void> | void,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
