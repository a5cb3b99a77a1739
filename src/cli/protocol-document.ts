/**
 * Reads `asyncapi/convex-sync.yaml` into what the generator needs: the
 * component schemas as JSON Schema, the messages each side sends, with their
 * prose and examples, and the introduction and channels the protocol page
 * shows.
 *
 * The document is validated by `@asyncapi/parser`; any diagnostic at all
 * (error, warning, hint) fails the build, so the spec stays clean. The parser's
 * model answers which messages the server receives and sends; the schemas are
 * read from the YAML itself so that their `$ref` structure (and the recursion
 * of Convex values) survives into `generated/`. Build time only.
 */
import { Parser } from '@asyncapi/parser';
import { parse as parseYaml } from 'yaml';
import { type JsonSchema, refName, toJsonSchema } from './json-schema.ts';

export interface ProtocolMessage {
  /** The wire `type` and the name of the generated type. */
  name: string;
  summary: string;
  description: string;
  /** The component schema that is this message's payload. */
  payload: string;
  /** Example payloads; each must validate. */
  examples: { name: string; summary?: string; payload: unknown }[];
}

export interface ProtocolChannel {
  /** Where the socket is opened, e.g. `/api/{clientVersion}/sync`. */
  address: string;
  description?: string;
}

export interface ProtocolDocument {
  title: string;
  /** The version of the official client the document tracks. */
  version: string;
  /** The introduction (`info.description`), Markdown-ish prose. */
  description?: string;
  /** The channels the messages travel on, in document order. */
  channels?: ProtocolChannel[];
  definitions: Record<string, JsonSchema>;
  /** Messages the server receives (the client sends), in document order. */
  clientMessages: ProtocolMessage[];
  /** Messages the server sends, in document order. */
  serverMessages: ProtocolMessage[];
}

export async function loadProtocolDocument(
  text: string,
  source: string,
): Promise<ProtocolDocument> {
  const { document, diagnostics } = await new Parser().parse(text, { source });
  if (diagnostics.length > 0 || !document) {
    const lines = diagnostics.map(
      (d) => `  ${d.code} at ${d.path.join('.') || '(root)'}: ${d.message}`,
    );
    throw new Error(`${source} does not parse cleanly:\n${lines.join('\n')}`);
  }

  const raw = parseYaml(text) as {
    components: {
      schemas: Record<string, unknown>;
      messages: Record<string, RawMessage>;
    };
  };
  const definitions = Object.fromEntries(
    Object.entries(raw.components.schemas).map(([name, schema]) => [
      name,
      toJsonSchema(schema, `components.schemas.${name}`),
    ]),
  );

  const byAction = (action: 'send' | 'receive'): ProtocolMessage[] =>
    document
      .operations()
      .all()
      .filter((operation) => operation.action() === action)
      .flatMap((operation) => operation.messages().all())
      .map((message) => {
        const name = message.name();
        if (!name) throw new Error(`${source}: every message needs a name`);
        return readMessage(name, raw.components.messages[name], source);
      });

  const description = document.info().description();
  const channels = document
    .channels()
    .all()
    .map((channel): ProtocolChannel => {
      const address = channel.address();
      if (!address)
        throw new Error(`${source}: every channel needs an address`);
      const prose = channel.description();
      return prose === undefined
        ? { address }
        : { address, description: prose };
    });

  return {
    title: document.info().title(),
    version: document.info().version(),
    ...(description === undefined ? {} : { description }),
    channels,
    definitions,
    clientMessages: byAction('receive'),
    serverMessages: byAction('send'),
  };
}

interface RawMessage {
  summary?: string;
  description?: string;
  payload?: unknown;
  examples?: { name?: string; summary?: string; payload?: unknown }[];
}

function readMessage(
  name: string,
  raw: RawMessage | undefined,
  source: string,
): ProtocolMessage {
  const where = `${source}: components.messages.${name}`;
  if (!raw)
    throw new Error(`${where} is missing (messages must be components)`);
  const payload = refName(toJsonSchema(raw.payload, `${where}.payload`));
  if (payload === undefined)
    throw new Error(`${where}.payload must reference a component schema`);
  const examples = (raw.examples ?? []).map((example, i) => ({
    name: example.name ?? `example${i}`,
    ...(example.summary === undefined ? {} : { summary: example.summary }),
    payload: example.payload,
  }));
  if (examples.length === 0)
    throw new Error(`${where} needs at least one example`);
  if (!raw.summary || !raw.description)
    throw new Error(`${where} needs a summary and a description`);
  return {
    name,
    summary: raw.summary,
    description: raw.description,
    payload,
    examples,
  };
}
