/**
 * HTTP actions of test/apps/basic on the site port of a real server,
 * reached with `fetch`: routes, streamed bodies both ways, file upload into
 * storage, identity from a Bearer token, and the 401, 404 and 500 answers.
 *
 * Every server that runs the app passes it: one serving the directory
 * (test/e2e/http-actions.test.ts) and one the official CLI deployed it to
 * (test/e2e/cli-push-apps.test.ts).
 */
import { SignJWT } from 'jose';
import { describe, expect, test } from 'vitest';
import { TEST_JWT_SECRET } from './converge-server.ts';

/** A server running test/apps/basic, with TEST_JWT_SECRET as its development secret. */
export interface HttpActionsServer {
  url: string;
  siteUrl: string;
}

async function devToken(subject: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('https://issuer.example')
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(TEST_JWT_SECRET));
}

/** The app's routes, against the server `server()` returns when they run. */
export function describeHttpActions(
  name: string,
  server: () => HttpActionsServer,
): void {
  describe(name, () => {
    test('routes answer, request and response bodies stream, uploads land in storage', async () => {
      const site = server().siteUrl;

      const hello = await fetch(`${site}/hello?name=ada`);
      expect(hello.status).toBe(200);
      expect(hello.headers.get('content-type')).toBe('text/plain');
      expect(await hello.text()).toBe('hello ada');

      const posted = await fetch(`${site}/messages`, {
        method: 'POST',
        body: JSON.stringify({ channel: 'web', body: 'over http' }),
      });
      expect(posted.status).toBe(201);
      expect(await posted.json()).toMatchObject({ count: 1 });

      expect(await (await fetch(`${site}/stream`)).text()).toBe(
        'chunk 1\nchunk 2\nchunk 3\n',
      );

      const big = 'x'.repeat(3 * 1024 * 1024);
      const uploaded = await fetch(`${site}/files/big.txt`, {
        method: 'POST',
        body: big,
      });
      const { url } = (await uploaded.json()) as { url: string };
      expect(url.startsWith(server().url)).toBe(true);
    });

    test('a Bearer token becomes ctx.auth’s identity; a bad one is refused before the handler runs', async () => {
      const site = server().siteUrl;
      const signedIn = await fetch(`${site}/whoami`, {
        headers: { authorization: `Bearer ${await devToken('ada')}` },
      });
      expect(await signedIn.json()).toMatchObject({
        tokenIdentifier: 'https://issuer.example|ada',
      });
      expect(await (await fetch(`${site}/whoami`)).json()).toBeNull();

      const refused = await fetch(`${site}/whoami`, {
        headers: { authorization: 'Bearer not.a.jwt' },
      });
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({
        code: expect.any(String) as string,
      });
    });

    test('the main port serves the same routes under /http/, and the files storage URLs name', async () => {
      const hello = await fetch(`${server().url}/http/hello?name=main`);
      expect(await hello.text()).toBe('hello main');

      const uploaded = await fetch(`${server().url}/http/files/a.txt`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'stored through an HTTP action',
      });
      const { url } = (await uploaded.json()) as { url: string };
      const served = await fetch(url);
      expect(served.headers.get('content-type')).toBe('text/plain');
      expect(await served.text()).toBe('stored through an HTTP action');
      expect((await fetch(`${server().url}/api/storage/nothing`)).status).toBe(
        404,
      );
    });

    test('no route is a 404 and a throwing handler a 500', async () => {
      const missing = await fetch(`${server().siteUrl}/nowhere`);
      expect(missing.status).toBe(404);
      expect(await missing.text()).toBe('No HttpAction routed for /nowhere');
      const broken = await fetch(`${server().siteUrl}/fails`);
      expect(broken.status).toBe(500);
      expect(await broken.text()).toBe('Uncaught Error: the handler broke');
    });
  });
}
