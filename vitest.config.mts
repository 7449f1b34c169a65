import { tmpdir } from 'node:os';
import path from 'node:path';
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
    // The tree indexes the CLI builds for the folders tests lint go to a scratch cache, not the
    // user's (docs/cross-file.md).
    env: { PINSCOPE_CACHE_DIR: path.join(tmpdir(), 'pinscope-test-cache') },
  },
});
