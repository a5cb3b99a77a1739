/**
 * The only import of uWebSockets.js, and which transport it loaded.
 *
 * The package (an npm alias of `@trufflesuite/uws-js-unofficial`, see
 * DESIGN.md decision 2) ships native uWS binaries for Node 16/18/20 and, on
 * any other runtime, silently falls back to a JavaScript implementation built
 * on `ws`. The startup log and the health endpoint report which one runs:
 * only the native build exports `getParts`.
 */
import uws from 'uWebSockets.js';

export type UwsTransport = 'native' | 'fallback';

export const uwsTransport: UwsTransport =
  typeof (uws as { getParts?: unknown }).getParts === 'function'
    ? 'native'
    : 'fallback';

export { uws };
