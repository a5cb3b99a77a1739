/**
 * The sample chat in functions/, served as the README says to serve it:
 * `converge serve` in its own process with a development JWT secret. The
 * checks are the app's contract (test/helpers/sample-chat-contract.ts),
 * which a server the CLI deployed the app to passes too.
 */
import { afterAll, beforeAll } from 'vitest';
import {
  type ServerProcess,
  startServerProcess,
} from '../helpers/converge-process.ts';
import {
  SAMPLE_JWT_SECRET,
  describeSampleChat,
} from '../helpers/sample-chat-contract.ts';

let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess(
    new URL('../../functions/', import.meta.url).pathname,
    { env: { CONVERGE_JWT_SECRET: SAMPLE_JWT_SECRET } },
  );
});

afterAll(async () => {
  await server[Symbol.asyncDispose]();
});

describeSampleChat('the sample chat', () => server);
