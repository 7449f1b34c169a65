import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    // Parsing with a native module: threads would load tree-sitter once per worker; forks keep it simple.
    pool: 'forks',
    // The protocol tests (test/protocol/) and the .vsix test speak to the built bundles: build once.
    globalSetup: ['test/protocol/globalSetup.ts'],
    testTimeout: 60_000,
  },
});
