/**
 * The HTTP fuzzer: seeded requests for the HTTP API, each a valid call of a
 * route (convex-protocol.md §6) mutated in its body (bad JSON, not UTF-8,
 * wrong types, missing and extra fields, huge, deeply nested), its headers
 * (`Authorization`, `Content-Type`, `Convex-Client`), its `format` or its
 * method, with the answer the documentation gives it:
 *
 * - `refused`: a 4xx whose body is Convex's `{code, message}` (§6.2);
 * - `answered`: a 200 with the route's answer (a UdfResponse, whether the
 *   function returned or threw);
 * - `either`: one of those two, where Convex's answer depends on the
 *   function (arguments of the wrong shape fail it or are refused);
 * - `user`: an HTTP action route, whose answer is the app's: any status
 *   below 500.
 */
import type { Draw } from '../differential/draw.ts';
import { TEST_ADMIN_KEY } from '../helpers/converge-server.ts';
import { randomJson, randomText } from './schema-sample.ts';

export type HttpExpectation = 'refused' | 'answered' | 'either' | 'user';

export interface HttpInput {
  category: HttpCategory;
  description: string;
  method: string;
  /** Path and query string. */
  url: string;
  headers: Record<string, string>;
  body: Buffer | null;
  expect: HttpExpectation;
}

export const httpCategories = [
  'valid',
  'bad-json',
  'wrong-type',
  'missing-field',
  'extra-field',
  'huge',
  'deep-nesting',
  'bad-header',
  'bad-format',
  'wrong-method',
  'storage',
  'http-action',
] as const;
export type HttpCategory = (typeof httpCategories)[number];

/** Convex's limit on a public API body (convex-protocol.md §6.2). */
export const MAX_BODY_BYTES = 16 * 1024 * 1024 + 2000;

interface Route {
  url: string;
  body: Record<string, unknown>;
  admin?: boolean;
}

type Body = Record<string, unknown>;

export class HttpFuzzer {
  readonly #draw: Draw;
  readonly #hugeLength: number;
  /** A timestamp the server has reached, for `/api/query_at_ts`. */
  readonly #ts: string;

  constructor(draw: Draw, options: { hugeLength: number; ts: string }) {
    this.#draw = draw;
    this.#hugeLength = options.hugeLength;
    this.#ts = options.ts;
  }

  input(category: HttpCategory): HttpInput {
    const d = this.#draw;
    const route = this.#route();
    const post = (
      description: string,
      body: Body | Buffer | string,
      expect: HttpExpectation,
      headers: Record<string, string> = {},
    ): HttpInput => ({
      category,
      description: `${route.url}: ${description}`,
      method: 'POST',
      url: route.url,
      headers: {
        'content-type': 'application/json',
        'convex-client': 'npm-1.48.0',
        ...(route.admin ? { authorization: `Convex ${TEST_ADMIN_KEY}` } : {}),
        ...headers,
      },
      body: Buffer.isBuffer(body)
        ? body
        : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
      expect,
    });
    switch (category) {
      case 'valid':
        return post('as a client sends it', route.body, 'answered');
      case 'bad-json': {
        const text = JSON.stringify(route.body);
        const [what, body] = d.pick<[string, Buffer | string]>([
          ['empty', ''],
          ['truncated', text.slice(0, d.int(0, text.length - 1))],
          ['trailing comma', `${text},`],
          ['a JSON array', `[${text}]`],
          ['a JSON string', JSON.stringify(text)],
          ['null', 'null'],
          ['garbage', randomText(d, d.int(1, 30))],
          [
            'bytes that are not UTF-8',
            Buffer.concat([
              Buffer.from(text.slice(0, -2)),
              Buffer.from([0xff, 0xc3, 0x28]),
              Buffer.from(text.slice(-2)),
            ]),
          ],
        ]);
        return post(what, body, 'refused');
      }
      case 'wrong-type': {
        const field = d.pick(Object.keys(route.body));
        const value = d.pick<unknown>([null, 1, -1.5, true, [], {}, 'x', [1]]);
        // `args` of another shape may fail the function instead; a null
        // field is an absent one, and some are optional.
        const expect: HttpExpectation =
          field === 'args' || value === null || field === 'format'
            ? 'either'
            : typeof value === typeof route.body[field] &&
                Array.isArray(value) === Array.isArray(route.body[field])
              ? 'either'
              : 'refused';
        return post(
          `${field} = ${JSON.stringify(value)}`,
          { ...route.body, [field]: value },
          expect,
        );
      }
      case 'missing-field': {
        const field = d.pick(Object.keys(route.body));
        const { [field]: _, ...rest } = route.body;
        return post(
          `without ${field}`,
          rest,
          field === 'args' || field === 'format' ? 'either' : 'refused',
        );
      }
      case 'extra-field': {
        const name = d.pick(['extra', '__proto__', 'constructor', 'debug']);
        const value = randomJson(d, 2);
        const text = JSON.stringify(route.body).replace(
          /^\{/,
          `{${JSON.stringify(name)}:${JSON.stringify(value)},`,
        );
        return post(`${name} = ${JSON.stringify(value)}`, text, 'answered');
      }
      case 'huge': {
        if (d.chance(0.1)) {
          const length = MAX_BODY_BYTES + d.int(1, 1 << 20);
          return post(
            `a body of ${length} bytes`,
            `{"path":"messages:list","args":{"channel":"${'x'.repeat(length)}"}}`,
            'refused',
          );
        }
        const length = d.int(this.#hugeLength / 8, this.#hugeLength);
        const value = d.chance(0.5)
          ? 'é'.repeat(length / 2)
          : new Array<number>(Math.floor(length / 8)).fill(7);
        const field = d.pick(['channel', 'body', 'extra']);
        return post(
          `args.${field} = ${typeof value === 'string' ? 'a string' : 'an array'} of ${value.length}`,
          withArgs(route, { [field]: value }),
          'either',
        );
      }
      case 'deep-nesting': {
        const depth = d.pick([
          d.int(5, 100),
          d.int(130, 5000),
          d.int(50_000, 300_000),
        ]);
        const open = d.chance(0.5) ? '[' : '{"a":';
        const close = open === '[' ? ']' : '}';
        const marker = '\u0000deep\u0000';
        const text = JSON.stringify(
          withArgs(route, { channel: marker }),
        ).replace(
          JSON.stringify(marker),
          `${open.repeat(depth)}1${close.repeat(depth)}`,
        );
        // The body nests this deep plus the levels around the value.
        return post(
          `args.channel nested ${depth} deep in ${open}`,
          text,
          depth > 120 ? 'refused' : 'either',
        );
      }
      case 'bad-header': {
        const [what, headers] = d.pick<[string, Record<string, string>]>([
          ['a short Authorization', { authorization: 'abc' }],
          ['a Basic Authorization', { authorization: 'Basic dXNlcjpwdw==' }],
          ['a Bearer garbage token', { authorization: 'Bearer not.a.jwt' }],
          ['a wrong admin key', { authorization: 'Convex wrong|key' }],
          [
            'an admin key with a broken identity',
            { authorization: `Convex ${TEST_ADMIN_KEY}:!!!!` },
          ],
          ['Content-Type text/plain', { 'content-type': 'text/plain' }],
          ['Content-Type xml', { 'content-type': 'application/xml' }],
          ['an empty Content-Type', { 'content-type': '' }],
          ['Convex-Client garbage', { 'convex-client': 'garbage' }],
          ['Convex-Client npm-x.y', { 'convex-client': 'npm-x.y' }],
          ['Convex-Client too old', { 'convex-client': 'npm-0.1.0' }],
        ]);
        return post(what, route.body, 'refused', headers);
      }
      case 'bad-format': {
        const format = d.pick<unknown>(['xml', '', 'JSON', 'json5', 7]);
        // A batch has a format per query.
        const body =
          route.url === '/api/query_batch'
            ? { queries: [{ path: 'messages:list', args: {}, format }] }
            : { ...route.body, format };
        return post(`format = ${JSON.stringify(format)}`, body, 'refused');
      }
      case 'wrong-method': {
        const method = d.pick(['PUT', 'DELETE', 'PATCH', 'GET']);
        return {
          ...post(`${method} instead of POST`, route.body, 'refused'),
          method,
          // A GET /api/query is a route of its own, without a body.
          url: route.url === '/api/query' ? '/api/mutation' : route.url,
          body: method === 'GET' ? null : Buffer.from('{}'),
        };
      }
      case 'storage': {
        const id = d.pick([
          randomText(d, 8),
          '%E0%A4%A',
          '..%2F..%2Fetc%2Fpasswd',
          'kg2'.repeat(d.int(1, 2000)),
        ]);
        const [method, url, expect] = d.pick<[string, string, HttpExpectation]>(
          [
            ['GET', `/api/storage/${encodePath(id)}`, 'refused'],
            ['DELETE', `/api/storage/${encodePath(id)}`, 'refused'],
            ['POST', `/api/storage/upload?token=${encodePath(id)}`, 'refused'],
            ['GET', '/api/storage/upload', 'refused'],
          ],
        );
        return {
          category,
          description: `${method} ${url.slice(0, 80)}`,
          method,
          url,
          headers: {},
          body: method === 'POST' ? Buffer.from(randomText(d, 20)) : null,
          expect,
        };
      }
      case 'http-action': {
        const [method, url] = d.pick<[string, string]>([
          ['GET', `/http/hello?name=${encodePath(randomText(d, 20))}`],
          ['GET', `/http/hello?name=${'x'.repeat(d.int(1, 8000))}`],
          ['POST', '/http/hello'],
          ['GET', `/http/${encodePath(randomText(d, 10))}`],
          ['DELETE', '/http/messages'],
          ['GET', '/http/'],
        ]);
        return {
          category,
          description: `${method} ${url.slice(0, 80)}`,
          method,
          url,
          headers: d.chance(0.3) ? { authorization: 'Bearer not.a.jwt' } : {},
          body:
            method === 'POST'
              ? Buffer.from('x'.repeat(d.int(0, this.#hugeLength)))
              : null,
          expect: 'user',
        };
      }
    }
  }

  #route(): Route {
    const d = this.#draw;
    const channel = `fuzz-http-${d.int(0, 9)}`;
    const args = { channel };
    return d.pick<Route>([
      { url: '/api/query', body: { path: 'messages:list', args } },
      {
        url: '/api/query',
        body: { path: 'messages:list', args: [args], format: 'json' },
      },
      {
        url: '/api/mutation',
        body: { path: 'messages:send', args: { channel, body: 'hi' } },
      },
      { url: '/api/action', body: { path: 'actions:nope', args: {} } },
      {
        url: '/api/function',
        body: { path: 'messages:list', args },
        admin: true,
      },
      { url: '/api/run/messages/list', body: { args } },
      {
        url: '/api/query_batch',
        body: { queries: [{ path: 'messages:list', args }] },
      },
      {
        url: '/api/query_at_ts',
        body: { path: 'messages:list', args, ts: this.#ts },
      },
    ]);
  }
}

/** The route's body with `args` replaced. */
function withArgs(route: Route, args: Body): Body {
  if (route.url === '/api/query_batch')
    return { queries: [{ path: 'messages:list', args }] };
  return { ...route.body, args };
}

function encodePath(text: string): string {
  return text.startsWith('%') ? text : encodeURIComponent(text);
}
