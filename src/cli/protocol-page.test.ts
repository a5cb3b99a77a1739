import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';
import {
  type ProtocolDocument,
  loadProtocolDocument,
} from './protocol-document.ts';
import { renderProtocolPage } from './protocol-page.ts';

/** A document whose every text tries to be markup. */
const hostile: ProtocolDocument = {
  title: 'Sync <script>alert(1)</script>',
  version: '1.48.0"><b>',
  description: 'An `<img src=x>` introduction.\n\n- one\n- two',
  channels: [{ address: '/api/{v}/sync', description: 'The <socket>.' }],
  definitions: {
    Count: { description: 'How many.', type: 'integer', minimum: 0 },
    Hello: {
      type: 'object',
      required: ['type', 'count'],
      properties: {
        type: { const: 'Hello' },
        count: { $ref: '#/definitions/Count' },
      },
    },
  },
  clientMessages: [
    {
      name: 'Hello',
      summary: 'Client → server. Says `hi`.',
      description: 'Sent first </p><script>x()</script>.',
      payload: 'Hello',
      examples: [
        {
          name: 'plain',
          summary: 'A count of <i>two</i>.',
          payload: { type: 'Hello', count: 2, note: '</code></pre><script>' },
        },
      ],
    },
  ],
  serverMessages: [],
};

test('every text of the document reaches the page as text, never as markup', () => {
  const { html } = renderProtocolPage(hostile);
  expect(html).not.toMatch(/<script|<img|<i>|<socket>|<b>/);
  expect(html).toContain('<h1>Sync &lt;script&gt;alert(1)&lt;/script&gt;</h1>');
  expect(html).toContain('<code>convex</code> 1.48.0&quot;&gt;&lt;b&gt;.');
  expect(html).toContain(
    '<p>An <code>&lt;img src=x&gt;</code> introduction.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>',
  );
  expect(html).toContain('<p>The &lt;socket&gt;.</p>');
});

test('a message is rendered with its summary, prose, payload table and pretty examples', () => {
  const { html } = renderProtocolPage(hostile);
  const start = html.indexOf('<article class="message" id="message-Hello">');
  const article = html.slice(start, html.indexOf('</article>', start));
  expect(start).toBeGreaterThan(0);
  expect(article).toContain('<h3>Hello</h3>');
  expect(article).toContain(
    '<p class="summary">Client → server. Says <code>hi</code>.</p>',
  );
  expect(article).toContain(
    '<p>Sent first &lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;.</p>',
  );
  expect(article).toContain(
    '<h4>Payload: <a href="#schema-Hello"><code>Hello</code></a></h4>',
  );
  expect(article).toContain('<td><code>count</code></td>');
  expect(article).toContain(
    '<figcaption><code>plain</code>: A count of &lt;i&gt;two&lt;/i&gt;.</figcaption>',
  );
  // The example as JSON indented by two, escaped.
  expect(article).toContain(
    '<pre><code>{\n  &quot;type&quot;: &quot;Hello&quot;,\n  &quot;count&quot;: 2,\n  &quot;note&quot;: &quot;&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;&quot;\n}</code></pre>',
  );
  // The contents link to it.
  expect(html).toContain('<li><a href="#message-Hello">Hello</a></li>');
});

test('a $ref links to its definition, which the Definitions section holds', () => {
  const { html } = renderProtocolPage(hostile);
  expect(html).toContain('<a href="#schema-Count"><code>Count</code></a>');
  expect(html).toContain(
    '<section class="definition" id="schema-Count">\n<h3><code>Count</code></h3>\n<p>How many.</p>',
  );
  expect(html).toContain('<p class="type">integer, at least 0</p>');
});

test('the style source is the SHA-256 of the page’s one style element, and nothing else is loaded', () => {
  const { html, styleSource } = renderProtocolPage(hostile);
  const styles = [...html.matchAll(/<style>([^<]*)<\/style>/g)];
  expect(styles).toHaveLength(1);
  const digest = createHash('sha256')
    .update(styles[0]?.[1] ?? '')
    .digest('base64');
  expect(styleSource).toBe(`'sha256-${digest}'`);
  // No element that loads anything, no style outside that element (text cannot hold a bare quote).
  expect(html).not.toMatch(/<(script|link|img|iframe|object|embed)\b/);
  expect(html).not.toMatch(/\s(src|style)="/);
});

test('the page of asyncapi/convex-sync.yaml: every message, every definition, no dangling link', async () => {
  const text = await readFile(
    new URL('../../asyncapi/convex-sync.yaml', import.meta.url),
    'utf8',
  );
  const doc = await loadProtocolDocument(text, 'convex-sync.yaml');
  const { html } = renderProtocolPage(doc);

  for (const message of [...doc.clientMessages, ...doc.serverMessages]) {
    expect(html).toContain(`id="message-${message.name}"`);
  }
  for (const name of Object.keys(doc.definitions)) {
    expect(html).toContain(`id="schema-${name}"`);
  }
  const ids = new Set([...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
  const targets = [...html.matchAll(/ href="#([^"]+)"/g)].map((m) => m[1]);
  expect(targets.length).toBeGreaterThan(100);
  expect(targets.filter((target) => !ids.has(target))).toEqual([]);
  // The only link out of the page is the document it was rendered from.
  const outside = [...html.matchAll(/ href="([^#][^"]*)"/g)].map((m) => m[1]);
  expect(outside).toEqual(['asyncapi.yaml']);
});
