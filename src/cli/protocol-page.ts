/**
 * The protocol document as one readable HTML page, rendered at generate time
 * from the parsed document and served by the deployment at `/protocol`:
 * the introduction and channels, the messages the client sends, the messages
 * the server sends (each with its prose, its payload schema and its examples
 * as pretty JSON), then every component schema under "Definitions", where
 * `$ref`s link.
 *
 * The page is self-contained, for machines without a network: no script, no
 * image, no external file, its style in one `<style>` element whose SHA-256
 * is returned beside it, so that the Content-Security-Policy can allow that
 * style and nothing else. Every text of the document goes through
 * `prose-html.ts` or `escapeHtml`. Not here: serving it
 * (http/protocol-routes.ts), writing it into generated/ (generate.ts).
 */
import { createHash } from 'node:crypto';
import type { JsonSchema } from './json-schema.ts';
import { escapeHtml, inlineHtml, proseHtml } from './prose-html.ts';
import type { ProtocolDocument, ProtocolMessage } from './protocol-document.ts';
import { definitionAnchor, schemaHtml } from './schema-html.ts';

export interface ProtocolPage {
  html: string;
  /** The CSP source that allows the page's style element: `'sha256-<base64>'`. */
  styleSource: string;
}

/** ASCII only, so that its hash is the same whatever a reader thinks the encoding is. */
const STYLE = `
:root { color-scheme: light dark; --muted: #666; --line: #ccc; --code: #f2f2f2; --accent: #2456c8; }
@media (prefers-color-scheme: dark) {
  :root { --muted: #aaa; --line: #444; --code: #262626; --accent: #8ab0ff; }
}
body { font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 64rem; padding: 1rem 1.5rem 4rem; }
a { color: var(--accent); }
code, pre { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9em; }
code { background: var(--code); border-radius: 3px; padding: 0 0.2em; }
pre { background: var(--code); border-radius: 4px; padding: 0.75rem; overflow-x: auto; }
pre code { padding: 0; }
header p, .summary, .label, .type { color: var(--muted); }
.summary { font-style: italic; }
h2 { border-bottom: 2px solid var(--line); margin-top: 2.5rem; padding-bottom: 0.2rem; }
.message + .message, .definition + .definition { border-top: 1px solid var(--line); margin-top: 1.5rem; }
.message h3, .definition h3 { margin-bottom: 0.2rem; }
nav ul ul { columns: 3; }
table { border-collapse: collapse; margin: 0.5rem 0; width: 100%; }
th, td { border: 1px solid var(--line); padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
td p { margin: 0; }
td p + p { margin-top: 0.5rem; }
td.required { font-weight: 600; }
td.optional { color: var(--muted); }
.nested { margin-left: 1rem; }
.variants li p { margin: 0 0 0.4rem; }
figure { margin: 1rem 0; }
figcaption { color: var(--muted); }
`;

export function renderProtocolPage(doc: ProtocolDocument): ProtocolPage {
  const title = escapeHtml(doc.title);
  const html = lines([
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${title} (client ${escapeHtml(doc.version)})</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>${title}</h1>`,
    `<p>Tracks the official client, <code>convex</code> ${escapeHtml(doc.version)}. The same document as AsyncAPI 3: <a href="asyncapi.yaml">asyncapi.yaml</a>.</p>`,
    '</header>',
    contentsHtml(doc),
    '<main>',
    introductionHtml(doc),
    messagesHtml(
      'client-messages',
      'Messages the client sends',
      doc.clientMessages,
      doc.definitions,
    ),
    messagesHtml(
      'server-messages',
      'Messages the server sends',
      doc.serverMessages,
      doc.definitions,
    ),
    definitionsHtml(doc.definitions),
    '</main>',
    '</body>',
    '</html>',
  ]);
  const hash = createHash('sha256').update(STYLE, 'utf8').digest('base64');
  return { html: `${html}\n`, styleSource: `'sha256-${hash}'` };
}

/** The id of a message's section on the page. */
export function messageAnchor(name: string): string {
  return `message-${name}`;
}

function contentsHtml(doc: ProtocolDocument): string {
  const links = (messages: ProtocolMessage[]) =>
    messages
      .map((m) => `<li>${link(messageAnchor(m.name), m.name)}</li>`)
      .join('\n');
  return [
    '<nav>',
    '<ul>',
    '<li><a href="#introduction">Introduction</a></li>',
    `<li><a href="#client-messages">Messages the client sends</a>\n<ul>\n${links(doc.clientMessages)}\n</ul></li>`,
    `<li><a href="#server-messages">Messages the server sends</a>\n<ul>\n${links(doc.serverMessages)}\n</ul></li>`,
    '<li><a href="#definitions">Definitions</a></li>',
    '</ul>',
    '</nav>',
  ].join('\n');
}

function introductionHtml(doc: ProtocolDocument): string {
  const channels = (doc.channels ?? []).map((channel) =>
    lines([
      `<h3>The socket: <code>${escapeHtml(channel.address)}</code></h3>`,
      proseHtml(channel.description ?? ''),
    ]),
  );
  return lines([
    '<section id="introduction">',
    '<h2>Introduction</h2>',
    proseHtml(doc.description ?? ''),
    ...channels,
    '</section>',
  ]);
}

function messagesHtml(
  id: string,
  heading: string,
  messages: ProtocolMessage[],
  definitions: Record<string, JsonSchema>,
): string {
  return [
    `<section id="${id}">`,
    `<h2>${heading}</h2>`,
    ...messages.map((message) => messageHtml(message, definitions)),
    '</section>',
  ].join('\n');
}

function messageHtml(
  message: ProtocolMessage,
  definitions: Record<string, JsonSchema>,
): string {
  const payload = definitions[message.payload];
  if (!payload) throw new Error(`no schema named ${message.payload}`);
  const examples = message.examples.map((example) => {
    const caption =
      example.summary === undefined
        ? `<code>${escapeHtml(example.name)}</code>`
        : `<code>${escapeHtml(example.name)}</code>: ${inlineHtml(example.summary)}`;
    const json = escapeHtml(JSON.stringify(example.payload, null, 2));
    return `<figure>\n<figcaption>${caption}</figcaption>\n<pre><code>${json}</code></pre>\n</figure>`;
  });
  return lines([
    `<article class="message" id="${escapeHtml(messageAnchor(message.name))}">`,
    `<h3>${escapeHtml(message.name)}</h3>`,
    `<p class="summary">${inlineHtml(message.summary)}</p>`,
    proseHtml(message.description),
    `<h4>Payload: ${link(definitionAnchor(message.payload), message.payload, true)}</h4>`,
    proseHtml(payload.description ?? ''),
    schemaHtml(payload, definitions),
    '<h4>Examples</h4>',
    ...examples,
    '</article>',
  ]);
}

function definitionsHtml(definitions: Record<string, JsonSchema>): string {
  const sections = Object.entries(definitions).map(([name, schema]) =>
    lines([
      `<section class="definition" id="${escapeHtml(definitionAnchor(name))}">`,
      `<h3><code>${escapeHtml(name)}</code></h3>`,
      proseHtml(schema.description ?? ''),
      schemaHtml(schema, definitions),
      '</section>',
    ]),
  );
  return [
    '<section id="definitions">',
    '<h2>Definitions</h2>',
    '<p>Every schema of the document, in its order; a message’s payload is one of them.</p>',
    ...sections,
    '</section>',
  ].join('\n');
}

function link(anchor: string, text: string, code = false): string {
  const shown = code ? `<code>${escapeHtml(text)}</code>` : escapeHtml(text);
  return `<a href="#${escapeHtml(anchor)}">${shown}</a>`;
}

/** The parts one to a line, leaving out the empty ones (prose that was not written). */
function lines(parts: string[]): string {
  return parts.filter((part) => part !== '').join('\n');
}
