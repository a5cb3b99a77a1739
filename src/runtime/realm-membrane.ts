/**
 * The membrane between the host and the user realm (user-realm.ts): every
 * value that crosses is converted, so that user code never holds an object
 * or function of the host realm, whose `constructor` chain would lead to the
 * host's `Function` and from there to `process`, `require` and the files.
 *
 * Host → realm:
 * - the host's intrinsics (`Object`, `Function`, their prototypes, errors,
 *   iterators…) become the realm's own, so `x.constructor.constructor` is
 *   the realm's `Function`, whose code runs in the realm;
 * - promises become realm promises, errors realm errors (copied), bytes
 *   (`ArrayBuffer`, typed arrays, `DataView`) realm copies;
 * - any other object or function becomes a realm `Proxy` whose traps run on
 *   the host and convert what goes in and out.
 *
 * Realm → host is the mirror: realm promises become host promises (through
 * the realm's `then` captured before user code ran), bytes are copied, and
 * realm objects and functions become host proxies, so host code (web APIs
 * reading an init dictionary, calling a callback) hands user code only
 * converted values. A value that went one way and comes back is the original.
 *
 * Not here: what the realm's globals are (user-realm.ts).
 */
import { types } from 'node:util';
import vm from 'node:vm';

export interface Membrane {
  /** A host value as user code may see it. */
  toRealm(value: unknown): unknown;
  /** A realm value as host code may handle it. */
  toHost(value: unknown): unknown;
}

type AnyObject = object;
type Callable = (...args: unknown[]) => unknown;

/** The intrinsics of a realm, by name, read before any user code runs. */
const INTRINSICS_SCRIPT = `(() => {
  'use strict';
  const proto = Object.getPrototypeOf;
  const TypedArray = proto(Uint8Array);
  const named = {
    Object, Function, Array, Error, TypeError, RangeError, SyntaxError,
    ReferenceError, EvalError, URIError, AggregateError, Promise, Symbol,
    Date, RegExp, Map, Set, WeakMap, WeakSet, WeakRef, FinalizationRegistry,
    ArrayBuffer, SharedArrayBuffer, DataView, Boolean, Number, String, BigInt,
    Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array,
    Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array,
    BigUint64Array, Proxy,
    TypedArray,
    AsyncFunction: proto(async function () {}).constructor,
    GeneratorFunction: proto(function* () {}).constructor,
    AsyncGeneratorFunction: proto(async function* () {}).constructor,
  };
  const table = {};
  for (const [name, value] of Object.entries(named)) {
    table[name] = value;
    if (value.prototype !== undefined) table[name + '.prototype'] = value.prototype;
  }
  table['%IteratorPrototype%'] = proto(proto([][Symbol.iterator]()));
  table['%ArrayIteratorPrototype%'] = proto([][Symbol.iterator]());
  table['%MapIteratorPrototype%'] = proto(new Map()[Symbol.iterator]());
  table['%SetIteratorPrototype%'] = proto(new Set()[Symbol.iterator]());
  table['%StringIteratorPrototype%'] = proto(''[Symbol.iterator]());
  table['%RegExpStringIteratorPrototype%'] = proto(/a/[Symbol.matchAll]('a'));
  table['%AsyncIteratorPrototype%'] = proto(proto(async function* () {}.prototype));
  table['%GeneratorPrototype%'] = proto(function* () {}.prototype);
  table['%AsyncGeneratorPrototype%'] = proto(async function* () {}.prototype);
  table.Reflect = Reflect;
  table.JSON = JSON;
  table.Math = Math;
  table.Atomics = Atomics;
  table.then = Promise.prototype.then;
  table.resolve = Promise.resolve;
  table.newObject = () => ({});
  table.newArray = () => [];
  table.newFunction = () => function () {}.bind(null);
  return table;
})()`;

interface Intrinsics extends Record<string, unknown> {
  Proxy: ProxyConstructor;
  Promise: PromiseConstructor;
  then: (this: unknown, ok: Callable, fail: Callable) => unknown;
  resolve: (this: unknown, value: unknown) => unknown;
  Error: ErrorConstructor;
  newObject: () => AnyObject;
  newArray: () => unknown[];
  newFunction: () => Callable;
}

const HOST_INTRINSICS = vm.runInThisContext(INTRINSICS_SCRIPT) as Intrinsics;

const BYTE_VIEWS = [
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
] as const;

const TypedArrayPrototype = Object.getPrototypeOf(
  Uint8Array.prototype,
) as object;
/** The getter of `object`'s own accessor `name`, to apply to values of either realm. */
export function getterOf(
  object: object,
  name: PropertyKey,
): (this: unknown) => unknown {
  const descriptor: { get?: unknown } | undefined =
    Object.getOwnPropertyDescriptor(object, name);
  return descriptor?.get as (this: unknown) => unknown;
}
const typedArrayGetter = (name: string) => getterOf(TypedArrayPrototype, name);
const viewBuffer = typedArrayGetter('buffer');
const viewOffset = typedArrayGetter('byteOffset');
const viewLength = typedArrayGetter('byteLength');
const viewTag = getterOf(TypedArrayPrototype, Symbol.toStringTag) as (
  this: unknown,
) => string | undefined;
const dataViewGetter = (name: string) => getterOf(DataView.prototype, name);
const dataViewBuffer = dataViewGetter('buffer');
const dataViewOffset = dataViewGetter('byteOffset');
const dataViewLength = dataViewGetter('byteLength');

/**
 * `hostPromise` hears of every host promise handed to user code while it is
 * still pending: host work (a digest, a body read) the realm waits on.
 */
export function createMembrane(
  context: vm.Context,
  hostPromise: (pending: Promise<unknown>) => void = () => undefined,
): Membrane {
  const realm = vm.runInContext(INTRINSICS_SCRIPT, context) as Intrinsics;
  const hostToRealm = new WeakMap<AnyObject, AnyObject>();
  const realmToHost = new WeakMap<AnyObject, AnyObject>();
  for (const name of Object.keys(HOST_INTRINSICS)) {
    const host = HOST_INTRINSICS[name];
    const own = realm[name];
    if (!isObjectLike(host) || !isObjectLike(own)) continue;
    hostToRealm.set(host, own);
    realmToHost.set(own, host);
  }

  const toRealm = (value: unknown): unknown =>
    convert(
      value,
      hostToRealm,
      realmToHost,
      realm,
      HOST_INTRINSICS,
      toHost,
      hostPromise,
    );
  const toHost = (value: unknown): unknown =>
    convert(
      value,
      realmToHost,
      hostToRealm,
      HOST_INTRINSICS,
      realm,
      toRealm,
      () => undefined,
    );
  return { toRealm, toHost };
}

/** The arguments of a trap, converted, read by index: the other side's iterators may be patched. */
function listFrom(
  args: ArrayLike<unknown>,
  convert: (value: unknown) => unknown,
): unknown[] {
  const list: unknown[] = [];
  for (let i = 0; i < args.length; i += 1) list.push(convert(args[i]));
  return list;
}

function isObjectLike(value: unknown): value is AnyObject {
  return (
    (typeof value === 'object' && value !== null) || typeof value === 'function'
  );
}

/**
 * `value` from the `from` side as the `to` side sees it. `seen` maps `from`
 * objects to what stands for them on the other side, `back` the reverse;
 * `back`'s own conversion is `reverse`.
 */
function convert(
  value: unknown,
  seen: WeakMap<AnyObject, AnyObject>,
  back: WeakMap<AnyObject, AnyObject>,
  to: Intrinsics,
  from: Intrinsics,
  reverse: (value: unknown) => unknown,
  onPromise: (pending: Promise<unknown>) => void,
): unknown {
  if (!isObjectLike(value)) return value;
  const known = seen.get(value);
  if (known !== undefined) return known;
  const self = (v: unknown): unknown =>
    convert(v, seen, back, to, from, reverse, onPromise);

  let converted: AnyObject;
  if (types.isPromise(value)) {
    onPromise(value);
    converted = new to.Promise((resolve, reject) => {
      Reflect.apply(from.then, value, [
        (result: unknown) => {
          resolve(self(result));
        },
        (error: unknown) => {
          // Whatever was thrown crosses as it is, Error or not.
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          reject(self(error));
        },
      ]);
    });
  } else if (types.isArrayBuffer(value)) {
    const bytes = new Uint8Array(value);
    converted = copyBytes(to, 'Uint8Array', bytes, 0, bytes.byteLength).buffer;
  } else if (types.isTypedArray(value)) {
    const name = Reflect.apply(viewTag, value, []) ?? 'Uint8Array';
    converted = copyBytes(
      to,
      name,
      new Uint8Array(Reflect.apply(viewBuffer, value, []) as ArrayBuffer),
      Reflect.apply(viewOffset, value, []) as number,
      Reflect.apply(viewLength, value, []) as number,
    );
  } else if (types.isDataView(value)) {
    const length = Reflect.apply(dataViewLength, value, []) as number;
    const bytes = copyBytes(
      to,
      'Uint8Array',
      new Uint8Array(Reflect.apply(dataViewBuffer, value, []) as ArrayBuffer),
      Reflect.apply(dataViewOffset, value, []) as number,
      length,
    );
    const DataViewOf = to.DataView as DataViewConstructor;
    converted = new DataViewOf(bytes.buffer);
  } else if (types.isNativeError(value)) {
    converted = copyError(value, self, to, from);
  } else {
    converted = proxyFor(value, self, reverse, to);
  }
  seen.set(value, converted);
  back.set(converted, value);
  return converted;
}

function copyBytes(
  to: Intrinsics,
  name: string,
  source: Uint8Array,
  offset: number,
  length: number,
): Uint8Array {
  const View = (
    BYTE_VIEWS.includes(name as (typeof BYTE_VIEWS)[number])
      ? to[name]
      : to.Uint8Array
  ) as Uint8ArrayConstructor;
  const Bytes = to.Uint8Array as Uint8ArrayConstructor;
  const copy = new Bytes(length);
  copy.set(source.subarray(offset, offset + length));
  const bytesPer = (View as unknown as { BYTES_PER_ELEMENT: number })
    .BYTES_PER_ELEMENT;
  return new View(copy.buffer, 0, length / bytesPer);
}

/** An error of the other side's class of the same name, with the same message, stack and own data. */
function copyError(
  error: Error,
  self: (value: unknown) => unknown,
  to: Intrinsics,
  from: Intrinsics,
): AnyObject {
  const ownDescriptor = (key: string) =>
    Object.getOwnPropertyDescriptor(error, key);
  let className = 'Error';
  for (const name of [
    'TypeError',
    'RangeError',
    'SyntaxError',
    'ReferenceError',
    'EvalError',
    'URIError',
  ])
    if (error instanceof (from[name] as ErrorConstructor)) className = name;
  const ErrorOf = to[className] as ErrorConstructor;
  const messageDescriptor = ownDescriptor('message');
  const copy = new ErrorOf(
    typeof messageDescriptor?.value === 'string' ? messageDescriptor.value : '',
  );
  for (const key of Reflect.ownKeys(error)) {
    if (key === 'message') continue;
    const descriptor = Reflect.getOwnPropertyDescriptor(error, key);
    if (!descriptor || !('value' in descriptor)) continue;
    Reflect.defineProperty(copy, key, {
      value: self(descriptor.value),
      writable: true,
      enumerable: descriptor.enumerable ?? false,
      configurable: true,
    });
  }
  return copy;
}

/**
 * A proxy on the `to` side for an object or function of the other: every
 * trap converts what it is given back (`reverse`) and what it answers
 * (`self`), and errors thrown on the far side are converted as they cross.
 */
function proxyFor(
  value: AnyObject,
  self: (value: unknown) => unknown,
  reverse: (value: unknown) => unknown,
  to: Intrinsics,
): AnyObject {
  const target: AnyObject =
    typeof value === 'function'
      ? to.newFunction()
      : Array.isArray(value)
        ? to.newArray()
        : to.newObject();
  const guard = <T>(run: () => T): T => {
    try {
      return run();
    } catch (error) {
      throw self(error);
    }
  };
  const descriptorFrom = (
    descriptor: PropertyDescriptor | undefined,
  ): PropertyDescriptor | undefined => {
    if (!descriptor) return undefined;
    const out: PropertyDescriptor = {
      enumerable: descriptor.enumerable ?? false,
      configurable: descriptor.configurable ?? false,
    };
    if ('value' in descriptor) {
      out.value = self(descriptor.value);
      out.writable = descriptor.writable ?? false;
    } else {
      const accessors: { get?: unknown; set?: unknown } = descriptor;
      if (accessors.get) out.get = self(accessors.get) as () => unknown;
      if (accessors.set) out.set = self(accessors.set) as (v: unknown) => void;
    }
    return out;
  };
  const handler: ProxyHandler<AnyObject> = {
    getPrototypeOf: () =>
      guard(() => self(Reflect.getPrototypeOf(value)) as object | null),
    setPrototypeOf: () => false,
    isExtensible: () => Reflect.isExtensible(target),
    preventExtensions: () => false,
    getOwnPropertyDescriptor: (_target, key) =>
      guard(() => {
        const descriptor = descriptorFrom(
          Reflect.getOwnPropertyDescriptor(value, key),
        );
        if (descriptor && !descriptor.configurable) {
          // A non-configurable property must exist as such on the target.
          const existing = Reflect.getOwnPropertyDescriptor(target, key);
          if (!existing || existing.configurable)
            Reflect.defineProperty(target, key, descriptor);
          return Reflect.getOwnPropertyDescriptor(target, key);
        }
        return descriptor;
      }),
    defineProperty: (_target, key, descriptor) =>
      guard(() => {
        if (descriptor.configurable === false) return false;
        const out: PropertyDescriptor = {};
        if ('enumerable' in descriptor) out.enumerable = descriptor.enumerable;
        if ('configurable' in descriptor)
          out.configurable = descriptor.configurable;
        if ('value' in descriptor) out.value = reverse(descriptor.value);
        if ('writable' in descriptor) out.writable = descriptor.writable;
        const accessors: { get?: unknown; set?: unknown } = descriptor;
        if (accessors.get) out.get = reverse(accessors.get) as () => unknown;
        if (accessors.set)
          out.set = reverse(accessors.set) as (v: unknown) => void;
        return Reflect.defineProperty(value, key, out);
      }),
    has: (_target, key) => guard(() => Reflect.has(value, key)),
    get: (_target, key) => guard(() => self(Reflect.get(value, key))),
    set: (_target, key, newValue) =>
      guard(() => Reflect.set(value, key, reverse(newValue))),
    deleteProperty: (_target, key) =>
      guard(() => Reflect.deleteProperty(value, key)),
    ownKeys: () =>
      guard(() => {
        const keys = Reflect.ownKeys(value);
        for (const key of Reflect.ownKeys(target)) {
          const own = Reflect.getOwnPropertyDescriptor(target, key);
          if (own && !own.configurable && !keys.includes(key)) keys.push(key);
        }
        return keys;
      }),
    apply: (_target, thisArg, args) =>
      guard(() =>
        self(
          Reflect.apply(
            value as Callable,
            reverse(thisArg),
            listFrom(args as unknown[], reverse),
          ),
        ),
      ),
    construct: (_target, args, newTarget) =>
      guard(
        () =>
          self(
            Reflect.construct(
              value as new (...a: unknown[]) => object,
              listFrom(args as unknown[], reverse),
              reverse(newTarget) as new (...a: unknown[]) => object,
            ),
          ) as object,
      ),
  };
  return new to.Proxy(target, handler);
}
