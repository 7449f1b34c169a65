// ESLint with typescript-eslint's type-aware recommended rules over every TypeScript file, and
// the plain recommended rules over our JavaScript (build scripts, e2e drivers, benchmarks).
// Formatting is prettier's job (npm run format), so no stylistic rules here.
// @ts-check
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: ['dist/', 'out/', '.e2e/', '.bench-cache/', 'coverage/', 'node_modules/', 'test/fixtures/', '**/*.d.ts'],
  },
  {
    files: ['**/*.{ts,mts}'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['vitest.config.mts'] },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: globals.node,
    },
    rules: {
      // `import type` keeps type-only imports out of the bundles (isolatedModules); inline, as the code writes them.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // A new member of a union (a rule kind, a step kind, a document kind) must reach every switch over it.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      eqeqeq: 'error',
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // The webview bundle runs in the browser, and so do the functions these Playwright drivers pass
    // to page.evaluate() (they mix both worlds in one file).
    files: ['client/webview/**', 'bench/sections/webview.mjs', 'test/e2e/ui*.mjs'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
