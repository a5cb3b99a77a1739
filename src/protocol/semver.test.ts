import { describe, expect, test } from 'vitest';
import { parseSemver } from './semver.ts';

describe('parseSemver', () => {
  test('a release, a prerelease and build metadata are versions', () => {
    expect(parseSemver('1.48.0')).toEqual({
      major: 1,
      minor: 48,
      patch: 0,
      prerelease: '',
    });
    expect(parseSemver('1.29.0-alpha.1+build.5')).toEqual({
      major: 1,
      minor: 29,
      patch: 0,
      prerelease: 'alpha.1',
    });
  });

  test('anything looser is not', () => {
    for (const text of ['garbage', '1.48', 'v1.48.0', '1.48.0.0', '01.2.3', ''])
      expect(parseSemver(text)).toBeNull();
  });
});
