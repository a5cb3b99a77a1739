/**
 * The user realm: one `node:vm` context per deployment, where the bundled
 * functions run. It has its own `Date`, `Math`, `console`, `process` and
 * timers, wired to the current execution (execution.ts), so that queries and
 * mutations see a frozen clock, seeded randomness and no network or timers,
 * without touching the host's globals. It is not a security boundary: user
 * code is trusted as in self-hosted Convex (DESIGN.md decision 11).
 *
 * Only strings cross between realms through the syscall ABI, so values built
 * in here are never `instanceof`-checked against host classes.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID, webcrypto } from 'node:crypto';
import { inspect } from 'node:util';
import vm from 'node:vm';
import { type Execution, executions } from './execution.ts';

export interface UserRealm {
  context: vm.Context;
  /** Runs a script in the realm and returns its completion value. */
  run(code: string, filename: string): unknown;
}

/** The execution used at import time when none is current. */
export type ImportExecution = Execution & { kind: 'import' };

const LEVELS = {
  log: 'LOG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  debug: 'DEBUG',
} as const;

export function createUserRealm(importExecution: ImportExecution): UserRealm {
  const current = (): Execution => executions.getStore() ?? importExecution;
  const deterministic = (): boolean => {
    const kind = current().kind;
    return kind === 'query' || kind === 'mutation' || kind === 'import';
  };
  const forbidden = (name: string): Error =>
    new Error(
      `Can't use ${name} in queries and mutations. Please consider using an action.`,
    );
  const guarded = <F extends (...args: never[]) => unknown>(
    name: string,
    real: F,
  ) =>
    ((...args: Parameters<F>) => {
      if (deterministic()) throw forbidden(name);
      return real(...args);
    }) as F;

  const console = Object.fromEntries(
    Object.entries(LEVELS).map(([method, level]) => [
      method,
      (...args: unknown[]) => {
        const message = args
          .map((a) =>
            typeof a === 'string' ? inspect(a) : inspect(a, { depth: 5 }),
          )
          .join(' ');
        current().logLines.push(`[${level}] ${message}`);
      },
    ]),
  );

  const crypto = {
    subtle: webcrypto.subtle,
    getRandomValues<T extends ArrayBufferView | null>(array: T): T {
      const random = current().random;
      if (!array) return array;
      const bytes = new Uint8Array(
        array.buffer,
        array.byteOffset,
        array.byteLength,
      );
      if (random) random.fill(bytes);
      else webcrypto.getRandomValues(bytes);
      return array;
    },
    randomUUID(): string {
      const random = current().random;
      if (!random) return randomUUID();
      const b = random.fill(new Uint8Array(16));
      b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
      b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
      const hex = Buffer.from(b).toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
  };

  const env = new Proxy(
    {},
    {
      get: (_target, key) =>
        typeof key === 'string' ? current().env[key] : undefined,
      has: (_target, key) => typeof key === 'string' && key in current().env,
      ownKeys: () => Object.keys(current().env),
      getOwnPropertyDescriptor: (_target, key) =>
        typeof key === 'string' && key in current().env
          ? {
              value: current().env[key],
              enumerable: true,
              configurable: true,
              writable: false,
            }
          : undefined,
    },
  );

  const context = vm.createContext({
    Convex: {
      syscall: (op: string, args: string) => current().syscall(op, args),
      asyncSyscall: (op: string, args: string) =>
        current().asyncSyscall(op, args),
      jsSyscall: (op: string, args: Record<string, unknown>) =>
        current().jsSyscall(op, args),
    },
    console,
    crypto,
    process: { env },
    AsyncLocalStorage,
    TextEncoder,
    TextDecoder,
    URL,
    URLSearchParams,
    Headers,
    Request,
    Response,
    Blob,
    File,
    FormData,
    ReadableStream,
    WritableStream,
    TransformStream,
    TextEncoderStream,
    TextDecoderStream,
    CompressionStream,
    DecompressionStream,
    ByteLengthQueuingStrategy,
    CountQueuingStrategy,
    Event,
    EventTarget,
    AbortController,
    AbortSignal,
    atob,
    btoa,
    structuredClone,
    queueMicrotask,
    performance: { now: () => current().now() },
    fetch: guarded('fetch()', fetch),
    setTimeout: guarded('setTimeout', setTimeout),
    clearTimeout,
    setInterval: guarded('setInterval', setInterval),
    clearInterval,
    __convergeNow: () => current().now(),
    __convergeRandom: () => current().random?.random() ?? Math.random(),
  });
  // The realm's own Date and Math.random, reading the execution's clock and generator.
  new vm.Script(
    `(() => {
      const RealDate = Date;
      const now = __convergeNow, random = __convergeRandom;
      class ConvexDate extends RealDate {
        constructor(...args) { if (args.length === 0) super(now()); else super(...args); }
        static now() { return now(); }
      }
      globalThis.Date = ConvexDate;
      Math.random = random;
      delete globalThis.__convergeNow;
      delete globalThis.__convergeRandom;
      globalThis.global = globalThis;
    })();`,
    { filename: 'converge:realm-setup' },
  ).runInContext(context);

  return {
    context,
    run: (code, filename): unknown =>
      new vm.Script(code, { filename }).runInContext(context) as unknown,
  };
}
