/**
 * HTTP actions on the site port of a server serving test/apps/basic from
 * its directory. The checks are the app's contract
 * (test/helpers/http-actions-contract.ts), which a server the CLI deployed
 * the app to passes too.
 */
import { afterAll, beforeAll } from 'vitest';
import {
  type TestServer,
  startTestServer,
} from '../helpers/converge-server.ts';
import { describeHttpActions } from '../helpers/http-actions-contract.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer('basic');
});

afterAll(async () => {
  await server.close();
});

describeHttpActions('HTTP actions on the site port', () => server);
