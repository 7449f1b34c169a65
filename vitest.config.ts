import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    // Parsing with a native module: threads would load tree-sitter once per worker; forks keep it simple.
    pool: 'forks',
    testTimeout: 60_000,
  },
});
