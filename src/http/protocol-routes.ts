/**
 * The sync protocol's document, served by the deployment itself:
 *
 *   GET /asyncapi.yaml   the AsyncAPI document, byte for byte as written
 *   GET /protocol        the same document as a readable page
 *
 * Both come from generated/protocol-document.ts, made by `npm run generate`
 * from asyncapi/convex-sync.yaml: the container has generated/ but not
 * asyncapi/, and nothing here reads a file. The page runs no script and
 * loads nothing; its policy allows exactly its one style element (by hash)
 * and nothing else, so even a page that escaped something wrongly could not
 * run it. ETags spare a reload the bytes. The routes are public, as the
 * protocol is: neither holds anything about the deployment.
 *
 * Not here: how the page is rendered (cli/protocol-page.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  ASYNCAPI_YAML,
  PROTOCOL_HTML,
  PROTOCOL_STYLE_SOURCE,
} from '../../generated/protocol-document.ts';
import { entityTag, namesEntityTag } from './entity-tag.ts';

interface ProtocolFile {
  type: string;
  body: Buffer;
  etag: string;
  headers: Record<string, string>;
}

const PAGE_POLICY = [
  "default-src 'none'",
  `style-src ${PROTOCOL_STYLE_SOURCE}`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function registerProtocolRoutes(app: FastifyInstance): void {
  // RFC 9512 registers application/yaml.
  const yaml = protocolFile('application/yaml; charset=utf-8', ASYNCAPI_YAML, {
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  });
  const page = protocolFile('text/html; charset=utf-8', PROTOCOL_HTML, {
    'content-security-policy': PAGE_POLICY,
  });
  app.get('/asyncapi.yaml', (request, reply) => send(yaml, request, reply));
  app.get('/protocol', (request, reply) => send(page, request, reply));
}

function protocolFile(
  type: string,
  text: string,
  headers: Record<string, string>,
): ProtocolFile {
  const body = Buffer.from(text, 'utf8');
  return { type, body, etag: entityTag(body), headers };
}

function send(
  file: ProtocolFile,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  reply
    .headers(file.headers)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-cache')
    .header('etag', file.etag);
  if (namesEntityTag(request.headers['if-none-match'], file.etag))
    return reply.code(304).send();
  return reply.code(200).type(file.type).send(file.body);
}
