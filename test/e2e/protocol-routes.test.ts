/**
 * The sync protocol's document from a running server: the AsyncAPI YAML as
 * written in asyncapi/ (which the container does not have; the server serves
 * generated/'s copy), and the page rendered from it, which names every
 * message, runs under a policy that allows only its own style, and answers a
 * reload with 304.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadProtocolDocument } from '../../src/cli/protocol-document.ts';
import {
  type TestServer,
  startTestServer,
} from '../helpers/converge-server.ts';

const specUrl = new URL('../../asyncapi/convex-sync.yaml', import.meta.url);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer('e2e');
});
afterAll(async () => {
  await server?.[Symbol.asyncDispose]();
});

describe('GET /asyncapi.yaml', () => {
  test('is the document in asyncapi/, byte for byte, and parses cleanly', async () => {
    const response = await fetch(`${server.url}/asyncapi.yaml`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(
      'application/yaml; charset=utf-8',
    );
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const served = Buffer.from(await response.arrayBuffer());
    expect(served.equals(await readFile(specUrl))).toBe(true);

    // The AsyncAPI parser finds nothing to say about it, and the messages the generator knows.
    const doc = await loadProtocolDocument(
      served.toString('utf8'),
      'asyncapi.yaml',
    );
    expect(doc.clientMessages.map((m) => m.name)).toContain('Connect');
  });

  test('a reload with the ETag gets 304 and no body', async () => {
    const first = await fetch(`${server.url}/asyncapi.yaml`);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    const again = await fetch(`${server.url}/asyncapi.yaml`, {
      headers: { 'if-none-match': etag ?? '' },
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });
});

describe('GET /protocol', () => {
  test('the page names every message of the document, client’s and server’s', async () => {
    const doc = await loadProtocolDocument(
      await readFile(specUrl, 'utf8'),
      'convex-sync.yaml',
    );
    const response = await fetch(`${server.url}/protocol`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(
      'text/html; charset=utf-8',
    );
    const html = await response.text();
    expect(html).toContain(`<h1>${doc.title}</h1>`);
    const names = [...doc.clientMessages, ...doc.serverMessages].map(
      (m) => m.name,
    );
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      expect(html).toContain(
        `<article class="message" id="message-${name}">\n<h3>${name}</h3>`,
      );
    }
  });

  test('runs under a policy that allows its one style element, by hash, and nothing else', async () => {
    const response = await fetch(`${server.url}/protocol`);
    const html = await response.text();
    const style = /<style>([^<]*)<\/style>/.exec(html)?.[1] ?? '';
    const hash = createHash('sha256').update(style).digest('base64');
    expect(response.headers.get('content-security-policy')).toBe(
      [
        "default-src 'none'",
        `style-src 'sha256-${hash}'`,
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
      ].join('; '),
    );
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  test('a reload with the ETag gets 304 and no body', async () => {
    const first = await fetch(`${server.url}/protocol`);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    // Not the YAML's tag: the two differ.
    const yaml = await fetch(`${server.url}/asyncapi.yaml`);
    expect(yaml.headers.get('etag')).not.toBe(etag);

    const again = await fetch(`${server.url}/protocol`, {
      headers: { 'if-none-match': `"stale", ${etag ?? ''}` },
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });
});
