/**
 * Semantic Versioning 2.0.0, as convex-backend parses the client versions
 * it is given (the `semver` crate): in the sync URL (`/api/1.48.0/sync`,
 * convex-protocol.md §1.1) and at the end of the `Convex-Client` header.
 * Build metadata is accepted and dropped; nothing looser (`1.48`, `v1.48.0`)
 * is a version.
 */

export interface Semver {
  major: number;
  minor: number;
  patch: number;
  /** Empty for a release. */
  prerelease: string;
}

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

export function parseSemver(text: string): Semver | null {
  const match = SEMVER.exec(text);
  if (!match) return null;
  const [, major, minor, patch, prerelease] = match;
  return {
    major: Number(major),
    minor: Number(minor),
    patch: Number(patch),
    prerelease: prerelease ?? '',
  };
}
