import { defineConfig } from 'vitest/config';

// Integration tests start real peers (rtpengine, SIPp, baresip, the engine), so
// they get generous timeouts and run in forked processes.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
  },
});
