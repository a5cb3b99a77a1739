/**
 * The `Convex-Client` request header, `<client>-<semver>` (`npm-1.48.0`,
 * `npm-cli-1.48.0`, `dashboard-0.0.0`), read as convex-backend's
 * `ClientVersion` reads it (`crates/common/src/version.rs`):
 *
 * - the version is the longest valid semver that ends the string, the client
 *   everything before it (`some-custom-thing-1.2.3-4.5.6-alpha.7` is
 *   `some-custom-thing` at `1.2.3-4.5.6-alpha.7`); no semver, 400;
 * - without the header the client is `unknown-0.0.0`;
 * - npm clients up to 0.19.1 are no longer supported (`deprecation.json`):
 *   400 `ClientVersionUnsupported`, with the deprecation headers the CLI
 *   prints;
 * - it picks the value format a request without `format` gets: clean JSON,
 *   except for clients from before `format` existed (npm < 1.4.1, Python
 *   < 0.5.0), which get the encoded form.
 */
import { type Semver, parseSemver } from '../protocol/semver.ts';
import { type SystemError, badRequest } from './system-error.ts';

export interface ClientVersion {
  client: string;
  version: Semver;
}

export type ClientVersionState =
  | { state: 'Supported' }
  | { state: 'UpgradeRequired' | 'Unsupported'; message: string };

export const UNKNOWN_CLIENT: ClientVersion = {
  client: 'unknown',
  version: { major: 0, minor: 0, patch: 0, prerelease: '' },
};

export function parseClientVersion(
  header: string | undefined,
):
  | { success: true; clientVersion: ClientVersion }
  | { success: false; error: SystemError } {
  if (header === undefined)
    return { success: true, clientVersion: UNKNOWN_CLIENT };
  const parts = header.split('-');
  for (let n = 1; n < parts.length; n++) {
    const version = parseSemver(parts.slice(n).join('-'));
    if (version === null) continue;
    return {
      success: true,
      clientVersion: {
        client: parts.slice(0, n).join('-').toLowerCase(),
        version,
      },
    };
  }
  return {
    success: false,
    error: badRequest(
      'InvalidClientVersion',
      `Failed to parse client version string: '${header}'. Expected format is {client_name}-{semver}, e.g. my-esolang-client-0.0.1`,
    ),
  };
}

export function formatClientVersion({
  client,
  version,
}: ClientVersion): string {
  const { major, minor, patch, prerelease } = version;
  return `${client}-${major}.${minor}.${patch}${prerelease === '' ? '' : `-${prerelease}`}`;
}

type Family = 'npm' | 'python' | 'rust';

function familyOf(client: string): Family | null {
  switch (client) {
    case 'npm':
    case 'npm-cli':
    case 'actions':
      return 'npm';
    case 'python':
    case 'python-convex':
      return 'python';
    case 'rust':
      return 'rust';
    default:
      return null;
  }
}

/** convex-backend `deprecation.json`: at or below these, upgrade or refuse. */
const THRESHOLDS = {
  npm: { upgradeRequired: [0, 19, 1], unsupported: [0, 19, 1] },
  python: { upgradeRequired: [0, 2, 0], unsupported: [0, 0, 2] },
  rust: { upgradeRequired: [0, 0, 1], unsupported: [0, 0, 1] },
} as const satisfies Record<
  Family,
  Record<'upgradeRequired' | 'unsupported', readonly number[]>
>;

const UPGRADE_INSTRUCTIONS = {
  npm: 'Update your Convex npm version with `npx convex update` or `npm update`.',
  python:
    'Update your Convex python version with `pip install --upgrade convex`.',
  rust: 'Update your Convex rust version with `cargo update -p convex` or by updating `Cargo.toml`.',
} as const satisfies Record<Family, string>;

export function clientVersionState(
  clientVersion: ClientVersion,
): ClientVersionState {
  const family = familyOf(clientVersion.client);
  if (family === null) return { state: 'Supported' };
  const { client, version } = clientVersion;
  const shown = formatClientVersion(clientVersion).slice(client.length + 1);
  const instructions = UPGRADE_INSTRUCTIONS[family];
  if (atMost(version, THRESHOLDS[family].unsupported))
    return {
      state: 'Unsupported',
      message: `The Convex ${client} package at version ${shown} is no longer supported. ${instructions}`,
    };
  if (atMost(version, THRESHOLDS[family].upgradeRequired))
    return {
      state: 'UpgradeRequired',
      message: `The Convex ${client} package at ${shown} is deprecated and will no longer be supported soon. When this version is no longer supported, requests to Convex will fail, so it is best to upgrade and redeploy your application as soon as possible. ${instructions}`,
    };
  return { state: 'Supported' };
}

/** Whether a request without `format` gets clean JSON (else the encoded form). */
export function defaultsToCleanJson(clientVersion: ClientVersion): boolean {
  const { version } = clientVersion;
  switch (familyOf(clientVersion.client)) {
    case 'npm':
      return !below(version, [1, 4, 1]);
    case 'python':
      return !below(version, [0, 5, 0]);
    case 'rust':
    case null:
      return true;
  }
}

/** Semver order: a prerelease comes before its release. */
function compare(version: Semver, [major, minor, patch]: readonly number[]) {
  const numbers = [version.major, version.minor, version.patch];
  const other = [major, minor, patch];
  for (let i = 0; i < 3; i++) {
    const difference = (numbers[i] ?? 0) - (other[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return version.prerelease === '' ? 0 : -1;
}

function atMost(version: Semver, threshold: readonly number[]): boolean {
  return compare(version, threshold) <= 0;
}

function below(version: Semver, threshold: readonly number[]): boolean {
  return compare(version, threshold) < 0;
}
