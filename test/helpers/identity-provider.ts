/**
 * An identity provider for tests: an HTTP server on port 0 that serves an
 * OpenID Connect discovery document naming itself as the issuer and a JWKS
 * with an RS256 and an ES256 key, and signs tokens with them (or with a
 * rogue key the JWKS does not have). Closed on dispose.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type CryptoKey,
  type JSONWebKeySet,
  type JWTPayload,
  SignJWT,
  exportJWK,
  generateKeyPair,
} from 'jose';

export interface SignOptions {
  alg?: 'RS256' | 'ES256';
  /** The header's `kid`; null for none. Default: the key's own. */
  kid?: string | null;
  /** Sign with a key the JWKS does not have, under the real key's `kid`. */
  rogue?: boolean;
}

export interface IdentityProvider extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`, the issuer its discovery document names. */
  issuer: string;
  jwksUrl: string;
  /** The public keys, as served. */
  jwks: JSONWebKeySet;
  /** The paths requested so far, in order. */
  requests: string[];
  /** What `/jwks.json` answers with: a status and a content type. */
  jwksResponse: { status: number; contentType: string };
  sign(claims: JWTPayload, options?: SignOptions): Promise<string>;
}

/** Key generation is slow (RSA): the providers of a test file share one set. */
let keyPairs: ReturnType<typeof generateKeys> | undefined;

async function generateKeys() {
  return {
    RS256: await generateKeyPair('RS256'),
    ES256: await generateKeyPair('ES256'),
    rogue: {
      RS256: await generateKeyPair('RS256'),
      ES256: await generateKeyPair('ES256'),
    },
  };
}

export async function startIdentityProvider(): Promise<IdentityProvider> {
  keyPairs ??= generateKeys();
  const { RS256: rs, ES256: es, rogue } = await keyPairs;
  const jwks: JSONWebKeySet = {
    keys: [
      {
        ...(await exportJWK(rs.publicKey)),
        kid: 'rs-1',
        alg: 'RS256',
        use: 'sig',
      },
      {
        ...(await exportJWK(es.publicKey)),
        kid: 'es-1',
        alg: 'ES256',
        use: 'sig',
      },
    ],
  };
  const requests: string[] = [];
  const jwksResponse = { status: 200, contentType: 'application/json' };
  let issuer = '';
  const server = createServer((request, response) => {
    requests.push(request.url ?? '');
    if (request.url === '/.well-known/openid-configuration') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks.json` }));
    } else if (request.url === '/jwks.json') {
      response.writeHead(jwksResponse.status, {
        'content-type': jwksResponse.contentType,
      });
      response.end(JSON.stringify(jwks));
    } else {
      response.writeHead(404).end('not here');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const keys: Record<
    'RS256' | 'ES256',
    { privateKey: CryptoKey; kid: string }
  > = {
    RS256: { privateKey: rs.privateKey, kid: 'rs-1' },
    ES256: { privateKey: es.privateKey, kid: 'es-1' },
  };
  return {
    issuer,
    jwksUrl: `${issuer}/jwks.json`,
    jwks,
    requests,
    jwksResponse,
    async sign(claims, options = {}) {
      const alg = options.alg ?? 'RS256';
      const { privateKey, kid } = keys[alg];
      const header =
        options.kid === null
          ? { alg, typ: 'JWT' }
          : { alg, typ: 'JWT', kid: options.kid ?? kid };
      return new SignJWT(claims)
        .setProtectedHeader(header)
        .sign(options.rogue ? rogue[alg].privateKey : privateKey);
    },
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback URL nothing listens on: a port that was just free. */
export async function unreachableUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** An unsigned token (`alg: none`), as an attacker would send one. */
export function unsignedToken(claims: JWTPayload, kid?: string): string {
  const encode = (value: object) =>
    Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = kid === undefined ? { alg: 'none' } : { alg: 'none', kid };
  return `${encode(header)}.${encode(claims)}.`;
}

/** Seconds since the epoch, as JWT time claims count. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
