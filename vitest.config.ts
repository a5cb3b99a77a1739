import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'src/**/*.test.ts',
      'test/**/*.test.ts',
      'dashboard/**/*.test.ts',
    ],
    // End-to-end tests drive the real client over loopback; a reconnect backoff can take seconds.
    testTimeout: 30_000,
  },
});
