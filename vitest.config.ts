import { configDefaults, defineConfig } from 'vitest/config';

// Suites that start Ray clusters, or fuzz the whole API: one at a time. Ray gives a node 30 s
// to register and fails it past that, which a loaded 2-core machine can miss.
const RAY = [
  'test/integration/cluster*.test.ts',
  'test/integration/*-ray.test.ts',
  'test/integration/tunings-cluster.test.ts',
  'test/e2e/cluster-*.test.ts',
  'test/e2e-vscode/cluster-*.test.ts',
  'test/integration/schemathesis.test.ts',
];
// Suites that drive real JupyterLab or code-server in a browser: one at a time too (a
// browser's waits stretch with load), but beside the Ray suites (npm test runs the two
// projects side by side: each mostly waits, on Ray's start or on what the editor draws).
const EDITORS = ['test/e2e/**/*.test.ts', 'test/e2e-vscode/**/*.test.ts'];

export default defineConfig({
  test: {
    // integration tests start real bridges and build real environments
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // verbose: every test by name, so a skipped one shows the reason written into its name
    reporters: ['verbose'],
    projects: [
      {
        extends: true,
        test: { name: 'ray', include: RAY, maxWorkers: 1, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: 'editors',
          include: EDITORS,
          exclude: [...configDefaults.exclude, ...RAY],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
      {
        // the rest mostly waits on real processes (trainings, workers, bridges): two files at a
        // time keep both cores busy
        extends: true,
        test: {
          name: 'parallel',
          include: [
            'shared/src/**/*.test.ts',
            'server-bridge/src/**/*.test.ts',
            'jupyterlab-ext/src/**/*.test.ts',
            'vscode-ext/src/**/*.test.ts',
            'test/**/*.test.ts',
          ],
          exclude: [...configDefaults.exclude, ...RAY, ...EDITORS],
          maxWorkers: 2,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
