import { defineConfig } from 'vitest/config';

// The deploy test (npm run test:deploy, also run by .ci/run): booted Debian hosts in
// network namespaces, Ansible over SSH. One file, run alone; needs root.
export default defineConfig({
  test: {
    include: ['test/deploy/**/*.deploy-test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    // Each step needs the one before it: stop at the first failure.
    bail: 1,
    testTimeout: 1_500_000,
    hookTimeout: 1_200_000,
  },
});
