import { expect, test } from 'vitest';
import { type ImportExecution, createUserRealm } from './user-realm.ts';

const refused = (): never => {
  throw new Error('no syscalls here');
};

function realm() {
  const execution: ImportExecution = {
    kind: 'import',
    now: () => 1_000,
    random: null,
    logLines: [],
    env: { ONLY: 'this' },
    syscall: refused,
    asyncSyscall: refused,
    jsSyscall: refused,
  };
  return { realm: createUserRealm(execution), execution };
}

/** Code that asks a constructor's constructor for `process`, as an escape would. */
const escapeThrough = (expression: string) =>
  `(() => { try {
     const p = (${expression}).constructor.constructor('return process')();
     return p && p.versions ? 'host process' : 'realm process';
   } catch (e) { return 'threw: ' + e.message; } })()`;

test('the global object, the host bridges and what they return lead back to the realm, not the host', () => {
  const { realm: user } = realm();
  for (const expression of [
    'this',
    'Convex.syscall',
    'console.log',
    'process.env',
    'Object.getPrototypeOf(process.env)',
    'crypto.getRandomValues',
    'crypto.subtle.digest',
    'performance.now',
    'new URL("https://converge.test/")',
    'new TextEncoder().encode("x")',
    'new Headers().get',
    'structuredClone({ a: 1 })',
    '(() => { try { Convex.syscall("x", "{}"); } catch (e) { return e; } })()',
  ])
    expect(user.run(escapeThrough(expression), 'probe.js'), expression).toBe(
      'realm process',
    );
});

test('a stack formatter sees copies of the call sites, even when the host formats the stack', () => {
  const { realm: user } = realm();
  const error = user.run(
    `Error.prepareStackTrace = (e, sites) => { globalThis.sites = sites; return 'formatted'; };
     new Error('boom')`,
    'probe.js',
  ) as { stack: string };
  expect(error.stack).toBe('formatted');
  expect(user.run(escapeThrough('sites'), 'probe.js')).toBe('realm process');
  expect(user.run(escapeThrough('sites[0]'), 'probe.js')).toBe('realm process');
  expect(user.run('typeof sites[0].getFileName()', 'probe.js')).toBe('string');
});

test('console formats what it is given without running custom inspectors, and process.env is the deployment’s', () => {
  const { realm: user, execution } = realm();
  user.run(
    `console.log('hi', { a: 1, [Symbol.for('nodejs.util.inspect.custom')]: () => 'custom' })`,
    'probe.js',
  );
  expect(execution.logLines).toHaveLength(1);
  expect(execution.logLines[0]).toMatch(/^\[LOG\] 'hi' \{\s*a: 1/);
  expect(user.run('JSON.stringify(process.env)', 'probe.js')).toBe(
    '{"ONLY":"this"}',
  );
  expect(user.run('typeof require + typeof module', 'probe.js')).toBe(
    'undefinedundefined',
  );
});

test('getRandomValues fills the array it is given', () => {
  const { realm: user } = realm();
  expect(
    user.run(
      'const a = new Uint8Array(32); crypto.getRandomValues(a) === a && a.some((b) => b !== 0)',
      'probe.js',
    ),
  ).toBe(true);
});

test("a stack shows the app's own frames and none of the server's files", () => {
  const { realm: user } = realm();
  // A host bridge on the way (Convex.syscall throws in the host) adds host frames below the app's.
  const stack = user.runBody(
    `function inner() {
       try { Convex.syscall('1.0/get', '{}'); } catch (e) { return new Error('boom: ' + e.message).stack; }
     }
     return inner();`,
    'converge:functions',
  ) as string;
  expect(stack.split('\n')).toEqual([
    'Error: boom: no syscalls here',
    '    at inner (converge:functions:2:68)',
    '    at converge:functions:4:13',
  ]);
  expect(
    user.runBody(
      `try { null.x; } catch (e) { return e.stack; }`,
      'converge:functions',
    ),
  ).not.toContain('/');
});
