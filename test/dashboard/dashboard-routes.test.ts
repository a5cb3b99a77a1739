/**
 * The dashboard's files over HTTP from a running server: the page, its
 * script and stylesheet, each with a policy that lets the page run only its
 * own script and talk only to its own origin, ETags that spare a reload the
 * bytes, and a 404 for anything else under /dashboard/.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type TestServer,
  startTestServer,
} from '../helpers/converge-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer('e2e');
});
afterAll(async () => {
  await server?.[Symbol.asyncDispose]();
});

describe('GET /dashboard', () => {
  test('the page loads its own script and stylesheet, under a strict policy', async () => {
    for (const path of ['/dashboard', '/dashboard/']) {
      const page = await fetch(`${server.url}${path}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await page.text();
      expect(html).toContain('<script type="module" src="/dashboard/app.js">');
      expect(html).toContain('href="/dashboard/app.css"');
      const policy = page.headers.get('content-security-policy') ?? '';
      expect(policy).toContain("script-src 'self'");
      expect(policy).toContain("connect-src 'self' ws: wss:");
      expect(policy).toContain("frame-ancestors 'none'");
    }

    const script = await fetch(`${server.url}/dashboard/app.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe(
      'text/javascript; charset=utf-8',
    );
    const source = await script.text();
    // The official client is in the bundle, and the system functions it calls.
    expect(source).toContain('_system/frontend/listTables');
    expect(source.length).toBeLessThan(250_000);

    const style = await fetch(`${server.url}/dashboard/app.css`);
    expect(style.status).toBe(200);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  test('the files go compressed to a browser that accepts it, the same bytes once decoded', async () => {
    const plain = await fetch(`${server.url}/dashboard/app.js`, {
      headers: { 'accept-encoding': 'identity' },
    });
    expect(plain.headers.get('content-encoding')).toBeNull();
    const source = await plain.text();
    for (const [accepted, sent] of [
      ['br', 'br'],
      ['gzip, deflate', 'gzip'],
      ['br;q=0, gzip', 'gzip'],
    ] as const) {
      const compressed = await fetch(`${server.url}/dashboard/app.js`, {
        headers: { 'accept-encoding': accepted },
      });
      expect(compressed.headers.get('content-encoding')).toBe(sent);
      expect(compressed.headers.get('vary')).toMatch(/\baccept-encoding$/);
      // fetch decodes it: the script is the same.
      expect(await compressed.text()).toBe(source);
    }
  });

  test('a reload with the ETag gets 304 and no body', async () => {
    const first = await fetch(`${server.url}/dashboard/app.js`);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    const again = await fetch(`${server.url}/dashboard/app.js`, {
      headers: { 'if-none-match': etag ?? '' },
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  test('anything else under /dashboard/ is a 404 in Convex’s error shape', async () => {
    const missing = await fetch(`${server.url}/dashboard/secrets.txt`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      code: 'NotFound',
      message: 'The dashboard has no file secrets.txt',
    });
  });
});
