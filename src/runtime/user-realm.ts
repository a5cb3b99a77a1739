/**
 * The user realm: one `node:vm` context per deployment, where the bundled
 * functions run. It has its own `Date`, `Math`, `console`, `process` and
 * timers, wired to the current execution (execution.ts), so that queries and
 * mutations see a frozen clock, seeded randomness and no network or timers,
 * without touching the host's globals.
 *
 * User code never holds a host object: the context's global object has no
 * prototype (so `this.constructor` is the realm's `Object`), every host
 * value in its globals crosses the membrane (realm-membrane.ts), `console`
 * and `crypto.getRandomValues` are realm functions that hand the host only
 * what they were given, and `Error.prepareStackTrace` sees copies of the
 * call sites, never the host's; a stack formatted by default shows the
 * app's frames only, never the server's files. `process.env` is the deployment's
 * environment variables and nothing else. There is no `require`, no
 * `import()` and no file system. `node:vm` shares the process with the
 * host, so this guards against reaching the host through objects, not
 * against exhausting its memory or its CPU.
 */
import { randomUUID, webcrypto } from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';
import { inspect, types } from 'node:util';
import vm from 'node:vm';
import { type Execution, executions } from './execution.ts';
import { type Membrane, createMembrane, getterOf } from './realm-membrane.ts';

export interface UserRealm {
  context: vm.Context;
  membrane: Membrane;
  /**
   * Runs a script in the realm and returns its completion value, as the
   * host may handle it. V8 keeps every script it compiles in its
   * compilation cache, source and all, for as long as the process lives
   * (only a low-memory collection clears it), so this is for small scripts
   * whose source repeats; code that changes goes through `runBody`.
   */
  run(code: string, filename: string): unknown;
  /**
   * Runs `body` as the body of a function in the realm and returns what it
   * returns, as the host may handle it. A function body is compiled outside
   * the compilation cache: the realm's code, once dropped, leaves nothing
   * behind, however many versions `converge dev` loads.
   */
  runBody(body: string, filename: string): unknown;
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

const TypedArrayPrototype = Object.getPrototypeOf(
  Uint8Array.prototype,
) as object;
const viewGetter = (name: string) => getterOf(TypedArrayPrototype, name);
const viewBuffer = viewGetter('buffer');
const viewOffset = viewGetter('byteOffset');
const viewLength = viewGetter('byteLength');
/** `crypto.getRandomValues`' limit, as the Web Crypto API sets it. */
const MAX_RANDOM_BYTES = 65_536;

/**
 * Run in the realm before any user code, with the host's raw bridges: it
 * keeps them in closures no user code can reach and installs realm
 * functions in their place.
 */
const SETUP_SCRIPT = `(function (log, fill, now, random, toRealm) {
  'use strict';
  const defineProperty = Object.defineProperty;
  const levels = ['log', 'info', 'warn', 'error', 'debug'];
  const console = {};
  for (let i = 0; i < levels.length; i += 1) {
    const level = levels[i];
    defineProperty(console, level, {
      value: function (...args) { log(level, args); },
      writable: true, enumerable: true, configurable: true,
    });
  }
  globalThis.console = console;

  globalThis.crypto = {
    getRandomValues(array) { fill(array); return array; },
    randomUUID: toRealm.randomUUID,
    subtle: toRealm.subtle,
  };

  const RealDate = Date;
  class ConvexDate extends RealDate {
    constructor(...args) { if (args.length === 0) super(now()); else super(...args); }
    static now() { return now(); }
  }
  globalThis.Date = ConvexDate;
  Math.random = function random_() { return random(); };
  globalThis.global = globalThis;

  // structuredClone of the realm's own values, built in the realm: the
  // host's would build host objects.
  const cloneError = (value) => new TypeError(String(value) + ' could not be cloned.');
  globalThis.structuredClone = function structuredClone(value) {
    const copies = new Map();
    const clone = (v) => {
      if ((typeof v !== 'object' || v === null) && typeof v !== 'function') {
        if (typeof v === 'symbol') throw cloneError('Symbol()');
        return v;
      }
      if (typeof v === 'function') throw cloneError(v);
      if (copies.has(v)) return copies.get(v);
      let copy;
      if (Array.isArray(v)) copy = [];
      else if (v instanceof RealDate) copy = new RealDate(v.getTime());
      else if (v instanceof RegExp) copy = new RegExp(v.source, v.flags);
      else if (v instanceof ArrayBuffer) copy = v.slice(0);
      else if (ArrayBuffer.isView(v)) {
        copy = new v.constructor(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
      } else if (v instanceof Map) copy = new Map();
      else if (v instanceof Set) copy = new Set();
      else if (v instanceof Error) copy = new Error(v.message);
      else copy = {};
      copies.set(v, copy);
      if (v instanceof Map) for (const [k, x] of v) copy.set(clone(k), clone(x));
      else if (v instanceof Set) for (const x of v) copy.add(clone(x));
      else if (Array.isArray(v) || copy.constructor === Object)
        for (const key of Object.keys(v)) copy[key] = clone(v[key]);
      return copy;
    };
    return clone(value);
  };

  // The call sites V8 hands a stack formatter may belong to the host:
  // user formatters see copies whose methods answer only primitives.
  const siteMethods = ['getFileName', 'getLineNumber', 'getColumnNumber',
    'getFunctionName', 'getMethodName', 'getTypeName', 'getScriptNameOrSourceURL',
    'getEvalOrigin', 'isNative', 'isToplevel', 'isEval', 'isConstructor',
    'isAsync', 'isPromiseAll', 'getPromiseIndex', 'toString'];
  const primitive = (v) =>
    (typeof v === 'object' && v !== null) || typeof v === 'function' ? undefined : v;
  const copySites = (trace) => {
    const sites = [];
    for (let i = 0; i < trace.length; i += 1) {
      const site = trace[i];
      const copy = { getThis() { return undefined; }, getFunction() { return undefined; } };
      for (let j = 0; j < siteMethods.length; j += 1) {
        const name = siteMethods[j];
        let answer;
        try { answer = primitive(site[name]()); } catch { answer = undefined; }
        defineProperty(copy, name, { value: function () { return answer; } });
      }
      defineProperty(sites, i, { value: copy, enumerable: true, writable: true, configurable: true });
    }
    return sites;
  };
  let formatter;
  const format = function (error, trace) { return formatter(error, copySites(trace)); };
  // Without a formatter of the app's own, a stack shows the app's frames
  // only: the host's name the server's files and say nothing about the app.
  const appFrames = function (error, trace) {
    let header;
    try {
      const name = error.name === undefined ? 'Error' : String(error.name);
      const message = error.message === undefined ? '' : String(error.message);
      header = message === '' ? name : name === '' ? message : name + ': ' + message;
    } catch { header = 'Error'; }
    for (let i = 0; i < trace.length; i += 1) {
      let file;
      try { file = trace[i].getFileName(); } catch { file = undefined; }
      if (typeof file === 'string' && file.startsWith('converge:') && file !== 'converge:realm-setup')
        header += '\\n    at ' + trace[i].toString();
    }
    return header;
  };
  const RealError = Error;
  defineProperty(RealError, 'prepareStackTrace', {
    get() { return typeof formatter === 'function' ? format : appFrames; },
    set(value) { formatter = value; },
    enumerable: false, configurable: false,
  });
  defineProperty(globalThis, 'Error', { value: RealError, writable: false, configurable: false });
})`;

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

  const context = vm.createContext(Object.create(null) as object);
  const membrane = createMembrane(context, (pending) =>
    executions.getStore()?.hostWork?.(pending),
  );
  const toRealm = (value: unknown): unknown => membrane.toRealm(value);

  const log = (level: keyof typeof LEVELS, args: ArrayLike<unknown>) => {
    const parts: string[] = [];
    for (let i = 0; i < args.length; i += 1) {
      const a = args[i];
      // Raw realm values, formatted without running their custom inspectors,
      // which would be handed host objects.
      parts.push(
        typeof a === 'string'
          ? inspect(a)
          : inspect(a, { depth: 5, customInspect: false }),
      );
    }
    current().logLines.push(`[${LEVELS[level]}] ${parts.join(' ')}`);
  };
  const fill = (array: unknown): void => {
    if (
      !types.isTypedArray(array) ||
      types.isFloat32Array(array) ||
      types.isFloat64Array(array)
    )
      throw new TypeError(
        "Failed to execute 'getRandomValues' on 'Crypto': The provided value is not of type 'ArrayBufferView' of an integer type.",
      );
    const length = Reflect.apply(viewLength, array, []) as number;
    if (length > MAX_RANDOM_BYTES)
      throw new RangeError(
        `The ArrayBufferView's byte length (${length}) exceeds the number of bytes of entropy available via this API (${MAX_RANDOM_BYTES})`,
      );
    const bytes = new Uint8Array(
      Reflect.apply(viewBuffer, array, []) as ArrayBuffer,
      Reflect.apply(viewOffset, array, []) as number,
      length,
    );
    const random = current().random;
    if (random) random.fill(bytes);
    else webcrypto.getRandomValues(bytes);
  };
  const realmBridge =
    <A extends unknown[], R>(run: (...args: A) => R) =>
    (...args: A): unknown => {
      try {
        return toRealm(run(...args));
      } catch (error) {
        throw toRealm(error);
      }
    };
  const setup = vm.runInContext(SETUP_SCRIPT, context, {
    filename: 'converge:realm-setup',
  }) as (...bridges: unknown[]) => void;
  setup(
    realmBridge(log),
    realmBridge(fill),
    realmBridge(() => current().now()),
    realmBridge(() => current().random?.random() ?? Math.random()),
    toRealm({
      randomUUID(): string {
        const random = current().random;
        if (!random) return randomUUID();
        const b = random.fill(new Uint8Array(16));
        b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
        b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
        const hex = Buffer.from(b).toString('hex');
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      },
      subtle: webcrypto.subtle,
    }),
  );

  const hostGlobals: Record<string, unknown> = {
    Convex: {
      syscall: (op: string, args: string) => current().syscall(op, args),
      asyncSyscall: (op: string, args: string) =>
        current().asyncSyscall(op, args),
      jsSyscall: (op: string, args: Record<string, unknown>) =>
        current().jsSyscall(op, args),
    },
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
    queueMicrotask,
    performance: { now: () => current().now() },
    fetch: guarded('fetch()', fetch),
    setTimeout: guarded('setTimeout', setTimeout),
    clearTimeout,
    setInterval: guarded('setInterval', setInterval),
    clearInterval,
  };
  for (const [name, value] of Object.entries(hostGlobals))
    Object.defineProperty(context, name, {
      value: toRealm(value),
      writable: true,
      enumerable: false,
      configurable: true,
    });

  return {
    context,
    membrane,
    run: (code, filename): unknown => {
      try {
        return membrane.toHost(
          new vm.Script(code, { filename }).runInContext(context) as unknown,
        );
      } catch (error) {
        throw membrane.toHost(error);
      }
    },
    runBody: (body, filename): unknown => {
      try {
        const compiled = vm.compileFunction(body, [], {
          filename,
          parsingContext: context,
        }) as () => unknown;
        return membrane.toHost(compiled());
      } catch (error) {
        throw membrane.toHost(error);
      }
    },
  };
}
