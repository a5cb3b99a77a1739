import { expect, test } from 'vitest';
import {
  clientVersionState,
  defaultsToCleanJson,
  formatClientVersion,
  parseClientVersion,
} from './client-version.ts';

function parsed(header: string) {
  const result = parseClientVersion(header);
  if (!result.success) throw new Error(result.error.message);
  return result.clientVersion;
}

test('parseClientVersion() takes the longest semver that ends the header as the version', () => {
  expect(formatClientVersion(parsed('npm-1.48.0'))).toBe('npm-1.48.0');
  expect(parsed('npm-cli-1.48.0').client).toBe('npm-cli');
  expect(parsed('dashboard-0.0.0').client).toBe('dashboard');
  // A prerelease with dashes of its own stays the version's.
  const custom = parsed('some-custom-thing-1.2.3-4.5.6-alpha.7');
  expect(custom.client).toBe('some-custom-thing');
  expect(custom.version.prerelease).toBe('4.5.6-alpha.7');
});

test('parseClientVersion() refuses a header without a semver, and reads a missing one as unknown-0.0.0', () => {
  for (const header of ['npm', 'npm-1.2.3.4', 'npm-one.two', '1.2.3']) {
    const result = parseClientVersion(header);
    expect(result.success ? 'accepted' : result.error).toEqual({
      status: 400,
      code: 'InvalidClientVersion',
      message: `Failed to parse client version string: '${header}'. Expected format is {client_name}-{semver}, e.g. my-esolang-client-0.0.1`,
    });
  }
  const missing = parseClientVersion(undefined);
  expect(missing.success && formatClientVersion(missing.clientVersion)).toBe(
    'unknown-0.0.0',
  );
});

test('clientVersionState() retires npm 0.19.1 and older, and leaves clients it does not know alone', () => {
  expect(clientVersionState(parsed('npm-0.19.1'))).toEqual({
    state: 'Unsupported',
    message:
      'The Convex npm package at version 0.19.1 is no longer supported. Update your Convex npm version with `npx convex update` or `npm update`.',
  });
  expect(clientVersionState(parsed('npm-0.19.2')).state).toBe('Supported');
  expect(clientVersionState(parsed('python-convex-0.1.0')).state).toBe(
    'UpgradeRequired',
  );
  expect(clientVersionState(parsed('anything-0.0.0')).state).toBe('Supported');
});

test('defaultsToCleanJson() is true except for clients from before the format parameter', () => {
  expect(defaultsToCleanJson(parsed('npm-1.4.1'))).toBe(true);
  expect(defaultsToCleanJson(parsed('npm-1.4.1-alpha.1'))).toBe(false);
  expect(defaultsToCleanJson(parsed('npm-1.3.0'))).toBe(false);
  expect(defaultsToCleanJson(parsed('actions-1.3.0'))).toBe(false);
  expect(defaultsToCleanJson(parsed('python-convex-0.4.0'))).toBe(false);
  expect(defaultsToCleanJson(parsed('python-convex-0.5.0'))).toBe(true);
  expect(defaultsToCleanJson(parsed('asdf-0.0.0'))).toBe(true);
});
