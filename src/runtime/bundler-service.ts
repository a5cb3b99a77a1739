/**
 * esbuild's service: the Go process the esbuild package starts on its
 * first build and keeps for the next ones. Here it runs only while bundles
 * are being made. A server bundles its functions once at start, and again
 * only when `converge dev` reloads, and the idle service costs about 20 MB
 * resident (a separate process, so not in the server's own VmRSS), growing
 * to over 30 MB after a hundred bundles of the sample app. Starting it
 * again costs about 15 ms per bundle, on top of the 50 ms a bundle of the
 * sample app takes.
 *
 * Every build in the process must go through `withBundlerService`, since
 * stopping the service fails whatever build is still running on it.
 *
 * Not here: what a bundle holds or how it is built (bundle-functions.ts).
 */
import { stop } from 'esbuild';

/** How many `withBundlerService` calls are running now; the service stops when this returns to 0. */
let running = 0;

/** Runs `work`, which may build with esbuild, and stops the service once no other work needs it. */
export async function withBundlerService<T>(
  work: () => Promise<T>,
): Promise<T> {
  running += 1;
  try {
    return await work();
  } finally {
    running -= 1;
    // esbuild stops the service at once (the promise only reports it), and
    // the next build starts a new one.
    if (running === 0) await stop();
  }
}
