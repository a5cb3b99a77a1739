/**
 * What a restarted server serves: the code pushed last, unless the
 * functions directory changed since that push went live.
 */
import { expect, test } from 'vitest';
import { type DeployedCode, startupCode } from './deployed-code.ts';

const pushed: DeployedCode = {
  modules: [
    { path: 'messages.js', environment: 'isolate', sha256: 'a'.repeat(64) },
  ],
  schema: null,
  udfServerVersion: '1.48.0',
  importNowMs: 0,
  importSeed: 0,
  directoryFingerprint: 'directory-at-push',
};

test.each([
  ['nothing was ever pushed', null, 'directory-now', 'directory'],
  [
    'nothing was ever pushed, and there is no directory',
    null,
    null,
    'directory',
  ],
  ['a push went live and there is no directory', pushed, null, 'pushed'],
  [
    'a push went live and the directory is as it was then',
    pushed,
    'directory-at-push',
    'pushed',
  ],
  [
    'the directory changed after the push',
    pushed,
    'directory-now',
    'directory',
  ],
] as const)(
  'when %s, a start serves the %s code',
  (_case, deployed, directory, expected) => {
    expect(startupCode(deployed, directory)).toBe(expected);
  },
);
