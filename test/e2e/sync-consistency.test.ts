/**
 * Consistency under concurrency on a server serving test/apps/bank from its
 * directory: the check is the app's contract
 * (test/helpers/serial-order-contract.ts), which a server the CLI deployed
 * the app to passes too.
 */
import { afterAll, beforeAll } from 'vitest';
import {
  type TestServer,
  startTestServer,
} from '../helpers/converge-server.ts';
import { describeSerialOrder } from '../helpers/serial-order-contract.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer('bank');
});

afterAll(async () => {
  await server.close();
});

describeSerialOrder('the bank', () => server);
