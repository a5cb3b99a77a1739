import vm from 'node:vm';
import { expect, test } from 'vitest';
import { createMembrane } from './realm-membrane.ts';

function setup() {
  const context = vm.createContext(Object.create(null) as object);
  const membrane = createMembrane(context);
  const run = (code: string): unknown => vm.runInContext(code, context);
  return { context, membrane, run };
}

test('host intrinsics become the realm’s own, and other host objects proxies whose chains end in the realm', () => {
  const { context, membrane, run } = setup();
  context.hostObject = membrane.toRealm({
    greet: (name: string) => `hi ${name}`,
  });
  context.HostUrl = membrane.toRealm(URL);
  expect(run('hostObject.constructor === Object')).toBe(true);
  expect(run('hostObject.greet.constructor === Function')).toBe(true);
  expect(run('hostObject.greet("ada")')).toBe('hi ada');
  expect(run('new HostUrl("https://a.test/x").pathname')).toBe('/x');
  expect(run('new HostUrl("https://a.test/") instanceof Object')).toBe(true);
});

test('host errors and promises arrive as realm errors and promises', async () => {
  const { context, membrane, run } = setup();
  context.fails = membrane.toRealm(() => {
    throw Object.assign(new TypeError('nope'), { data: '{"a":1}' });
  });
  context.later = membrane.toRealm(() =>
    Promise.resolve(new Uint8Array([1, 2])),
  );
  expect(
    run(
      '(() => { try { fails(); } catch (e) { return [e instanceof TypeError, e.message, e.data]; } })()',
    ),
  ).toEqual([true, 'nope', '{"a":1}']);
  const got = membrane.toHost(
    run('later().then((bytes) => [bytes instanceof Uint8Array, [...bytes]])'),
  ) as Promise<unknown>;
  expect(await got).toEqual([true, [1, 2]]);
});

test('a value that crosses and comes back is the original', () => {
  const { membrane, run } = setup();
  const host = { a: 1 };
  expect(membrane.toHost(membrane.toRealm(host))).toBe(host);
  const realmObject = run('({ b: 2 })');
  expect(membrane.toRealm(membrane.toHost(realmObject))).toBe(realmObject);
});

test('a realm promise reaches the host without the realm’s then seeing host functions', async () => {
  const { membrane, run } = setup();
  run(`globalThis.caught = [];
       const then = Promise.prototype.then;
       Promise.prototype.then = function (ok, fail) {
         if (typeof ok === 'function' && !(ok instanceof Function)) caught.push(ok);
         return then.call(this, ok, fail);
       };`);
  const answer = membrane.toHost(
    run('Promise.resolve("done")'),
  ) as Promise<unknown>;
  expect(await answer).toBe('done');
  expect(run('caught.length')).toBe(0);
});
