/* eslint-disable @typescript-eslint/unbound-method -- the probes take host methods apart on purpose */
// Attempts to leave the realm, each answering what it got: `escaped: …` when
// it reached the host's `process`, otherwise why not. The test server's
// functions run them from a query, a mutation, an action and an HTTP action.

type Probe = () => unknown;

declare const Convex: {
  syscall(op: string, args: string): string;
  asyncSyscall(op: string, args: string): Promise<string>;
};

interface HostProcess {
  pid: number;
  versions: { node: string };
  env: Record<string, string | undefined>;
  getBuiltinModule?: (name: string) => unknown;
  mainModule?: { require(name: string): unknown };
}

function isHostProcess(value: unknown): value is HostProcess {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { versions?: { node?: unknown } }).versions?.node ===
      'string'
  );
}

/** What a candidate `Function` constructor gives when asked for `process`. */
function through(candidate: unknown): string {
  if (typeof candidate !== 'function') return `blocked: ${typeof candidate}`;
  if (candidate === Function) return 'blocked: the realm Function';
  const got: unknown = (candidate as (code: string) => () => unknown)(
    'return process',
  )();
  return isHostProcess(got) ? escapedWith(got) : 'blocked: no host process';
}

function escapedWith(host: HostProcess): string {
  const fs = (host.getBuiltinModule?.('fs') ??
    host.mainModule?.require('fs')) as
    { readFileSync(path: string, encoding: string): string } | undefined;
  const passwd = fs ? fs.readFileSync('/etc/passwd', 'utf8').length : 0;
  return `escaped: host pid ${host.pid}, /etc/passwd ${passwd} chars`;
}

/** The constructor of the constructor: the classic way out of a realm. */
function ctorOf(value: unknown): unknown {
  return (value as { constructor: { constructor: unknown } }).constructor
    .constructor;
}

function attempt(run: () => unknown): string {
  try {
    const got = run();
    return typeof got === 'string' ? got : `blocked: ${String(got)}`;
  } catch (error) {
    return `blocked: ${error instanceof Error ? error.message : String(error)}`;
  }
}

async function attemptAsync(run: () => Promise<unknown>): Promise<string> {
  try {
    const got = await run();
    return typeof got === 'string' ? got : `blocked: ${String(got)}`;
  } catch (error) {
    return `blocked: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Every object reachable from `roots` whose prototype chain ends in another realm's Object.prototype. */
export function foreignObjects(roots: Record<string, unknown>): string[] {
  const foreign: string[] = [];
  const seen = new Set<unknown>();
  const queue: [unknown, string, number][] = Object.entries(roots).map(
    ([name, value]) => [value, name, 0],
  );
  while (queue.length > 0 && seen.size < 20_000) {
    const [value, path, depth] = queue.shift() as [unknown, string, number];
    if ((typeof value !== 'object' && typeof value !== 'function') || !value)
      continue;
    if (seen.has(value)) continue;
    seen.add(value);
    let root: object = value;
    for (;;) {
      const next = Object.getPrototypeOf(root) as object | null;
      if (next === null) break;
      root = next;
    }
    // Only an Object.prototype has its own `__proto__` accessor: a chain
    // ending in another one ends in another realm.
    if (root !== Object.prototype && Object.hasOwn(root, '__proto__'))
      foreign.push(path);
    if (depth >= 4) continue;
    const proto = Object.getPrototypeOf(value) as unknown;
    queue.push([proto, `${path}.__proto__`, depth + 1]);
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Reflect.getOwnPropertyDescriptor(value, key);
      const name = `${path}.${String(key)}`;
      if (!descriptor) continue;
      if ('value' in descriptor)
        queue.push([descriptor.value, name, depth + 1]);
      if (descriptor.get)
        queue.push([descriptor.get, `${name}<get>`, depth + 1]);
      if (descriptor.set)
        queue.push([descriptor.set, `${name}<set>`, depth + 1]);
    }
  }
  return foreign;
}

const syncProbes: Record<string, Probe> = {
  'this.constructor.constructor': () => through(ctorOf(globalThis)),
  'Convex.syscall': () => through(ctorOf(Convex.syscall)),
  'console.log': () => through(ctorOf(console.log)),
  'process.env prototype': () =>
    through(ctorOf(Object.getPrototypeOf(process.env))),
  'crypto.getRandomValues': () => through(ctorOf(crypto.getRandomValues)),
  'crypto.subtle.digest': () => through(ctorOf(crypto.subtle.digest)),
  'performance.now': () => through(ctorOf(performance.now)),
  'TextEncoder result': () => through(ctorOf(new TextEncoder().encode('x'))),
  'URL instance': () => through(ctorOf(new URL('https://converge.test/'))),
  'Headers method': () => through(ctorOf(new Headers().get)),
  'structuredClone result': () => through(ctorOf(structuredClone({ a: 1 }))),
  'a failed syscall error': () => {
    try {
      Convex.syscall('1.0/no-such-op', '{}');
      return 'blocked: it did not throw';
    } catch (error) {
      return through(ctorOf(error));
    }
  },
  'a syscall promise': () => {
    const pending = Convex.asyncSyscall('1.0/no-such-op', '{}');
    pending.catch(() => undefined);
    return through(ctorOf(pending));
  },
  'console.log with a custom inspector': () => {
    let leaked: unknown = null;
    console.log({
      [Symbol.for('nodejs.util.inspect.custom')]: (
        _depth: unknown,
        _options: unknown,
        inspect: unknown,
      ) => {
        leaked = inspect;
        return 'custom';
      },
    });
    return leaked === null ? 'blocked: not called' : through(ctorOf(leaked));
  },
  'Error.prepareStackTrace call sites': () => {
    let sites: unknown[] = [];
    Error.prepareStackTrace = (_error, trace) => {
      sites = trace;
      return 'formatted';
    };
    try {
      void new Error('probe').stack;
      return sites.length === 0
        ? 'blocked: no call sites'
        : through(ctorOf(sites)) + ' / ' + through(ctorOf(sites[0]));
    } finally {
      delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
    }
  },
  'eval import(fs)': () => {
    // An indirect eval, so the bundler leaves the import alone.
    const imported = (0, eval)('import("node:fs")') as Promise<unknown>;
    imported.catch(() => undefined);
    return 'blocked: import() returned a promise';
  },
  'require and module': () =>
    `blocked: ${typeof (globalThis as { require?: unknown }).require} ${typeof (globalThis as { module?: unknown }).module}`,
  'reachable host objects': () => {
    const globals: Record<string, unknown> = {};
    for (const key of Reflect.ownKeys(globalThis))
      globals[String(key)] = (globalThis as Record<PropertyKey, unknown>)[key];
    const foreign = foreignObjects(globals);
    return foreign.length === 0
      ? 'blocked: none'
      : `escaped: ${foreign.slice(0, 10).join(', ')}`;
  },
};

const asyncProbes: Record<string, () => Promise<unknown>> = {
  'a rejected syscall error': async () => {
    try {
      await Convex.asyncSyscall('1.0/no-such-op', '{}');
      return 'blocked: it did not reject';
    } catch (error) {
      return through(ctorOf(error));
    }
  },
  'import(fs) resolved': async () => {
    const imported = (await (0, eval)('import("node:fs")')) as unknown;
    return `escaped: ${typeof imported}`;
  },
  'Response.text() promise': async () => {
    const text = new Response('x').text();
    const probe = through(ctorOf(text));
    await text;
    return probe;
  },
};

/** Runs every probe; `extra` are the caller's own. */
export async function runEscapes(
  extra: Record<string, () => Promise<unknown>> = {},
): Promise<Record<string, string>> {
  const results: Record<string, string> = {};
  for (const [name, probe] of Object.entries(syncProbes))
    results[name] = attempt(probe);
  for (const [name, probe] of Object.entries({ ...asyncProbes, ...extra }))
    results[name] = await attemptAsync(probe);
  return results;
}

/** The host objects a realm value reaches, if any. */
export function hostReach(value: unknown): string {
  const foreign = foreignObjects({ value });
  return foreign.length === 0
    ? through(ctorOf(value))
    : `escaped: ${foreign.slice(0, 10).join(', ')}`;
}
