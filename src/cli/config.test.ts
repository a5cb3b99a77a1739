import { expect, test } from 'vitest';
import { defaults, readConfig } from './config.ts';

test('readConfig() falls back to the documented defaults', () => {
  expect(readConfig([], {})).toEqual({
    success: true,
    config: {
      ...defaults,
      databaseUrl: undefined,
      adminKey: undefined,
      jwtSecret: undefined,
      envFile: undefined,
      cloudOrigin: undefined,
      siteOrigin: undefined,
    },
  });
});

test('readConfig() reads every setting from its environment variable', () => {
  const result = readConfig([], {
    CONVERGE_FUNCTIONS: 'app/convex',
    PORT: '4000',
    CONVERGE_SITE_PORT: '4001',
    CONVERGE_HOST: '127.0.0.1',
    CONVERGE_DATA: '/var/lib/converge',
    DATABASE_URL: 'postgres://127.0.0.1:5432/test',
    CONVERGE_ADMIN_KEY: 'secret',
    CONVERGE_JWT_SECRET: 'dev-secret',
    CONVERGE_ENV_FILE: '.env.local',
    CONVERGE_DRAIN_MS: '0',
    CONVEX_CLOUD_ORIGIN: 'https://api.example.com',
    CONVEX_SITE_ORIGIN: 'https://example.com/',
  });
  expect(result).toEqual({
    success: true,
    config: {
      functions: 'app/convex',
      port: 4000,
      sitePort: 4001,
      host: '127.0.0.1',
      data: '/var/lib/converge',
      databaseUrl: 'postgres://127.0.0.1:5432/test',
      adminKey: 'secret',
      jwtSecret: 'dev-secret',
      envFile: '.env.local',
      drainMs: 0,
      cloudOrigin: 'https://api.example.com',
      siteOrigin: 'https://example.com',
    },
  });
});

test('readConfig() lets flags win over the environment', () => {
  const result = readConfig(['--port', '0', '--functions=elsewhere'], {
    PORT: '4000',
  });
  expect(result.success && result.config).toMatchObject({
    port: 0,
    functions: 'elsewhere',
  });
});

test('readConfig() takes the development JWT secret from --jwt-secret, over CONVERGE_JWT_SECRET', () => {
  const result = readConfig(['--jwt-secret', 'from-flag'], {
    CONVERGE_JWT_SECRET: 'from-env',
  });
  expect(result.success && result.config.jwtSecret).toBe('from-flag');
});

test('readConfig() takes the functions environment file from --env-file, over CONVERGE_ENV_FILE', () => {
  const result = readConfig(['--env-file', 'from-flag.env'], {
    CONVERGE_ENV_FILE: 'from-env.env',
  });
  expect(result.success && result.config.envFile).toBe('from-flag.env');
});

test('readConfig() reports bad settings as values', () => {
  expect(readConfig(['--port', 'http'], {})).toEqual({
    success: false,
    error: '--port / PORT must be a port number, got "http"',
  });
  expect(readConfig([], { PORT: '70000' }).success).toBe(false);
  expect(readConfig([], { DATABASE_URL: 'mysql://x' })).toEqual({
    success: false,
    error: '--database-url / DATABASE_URL must be a postgres:// URL',
  });
  const unknown = readConfig(['--verbose'], {});
  expect(unknown.success ? '' : unknown.error).toMatch(
    /Unknown option '--verbose'/,
  );
});

test('readConfig() takes the drain time from --drain-ms, over CONVERGE_DRAIN_MS, in whole milliseconds', () => {
  const result = readConfig(['--drain-ms', '250'], {
    CONVERGE_DRAIN_MS: '9000',
  });
  expect(result.success && result.config.drainMs).toBe(250);
  expect(readConfig(['--drain-ms', '1.5'], {})).toEqual({
    success: false,
    error:
      '--drain-ms / CONVERGE_DRAIN_MS must be a whole number of milliseconds, got "1.5"',
  });
});

test('readConfig() takes the public origins as self-hosted Convex names them, and refuses what is not an origin', () => {
  const result = readConfig(['--cloud-origin', 'http://lb.internal:8080'], {
    CONVEX_CLOUD_ORIGIN: 'https://ignored.example.com',
  });
  expect(result.success && result.config.cloudOrigin).toBe(
    'http://lb.internal:8080',
  );
  expect(
    readConfig([], { CONVEX_SITE_ORIGIN: 'https://example.com/api' }),
  ).toEqual({
    success: false,
    error:
      '--site-origin / CONVEX_SITE_ORIGIN must be an http(s) origin such as https://api.example.com, not https://example.com/api',
  });
  expect(readConfig(['--cloud-origin', 'ftp://x'], {}).success).toBe(false);
});
