import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'shared/src/**/*.test.ts',
      'server-bridge/src/**/*.test.ts',
      'jupyterlab-ext/src/**/*.test.ts',
      'vscode-ext/src/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    // integration tests start real bridges and build real environments
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // verbose: every test by name, so a skipped one shows the reason written into its name
    reporters: ['verbose'],
  },
});
