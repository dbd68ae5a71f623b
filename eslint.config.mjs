import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      '.tools',
      '.data',
      'portal/.nuxt',
      'portal/.output',
      'test-artifacts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests read untyped JSON responses.
    files: ['test/**/*.ts', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node modules.
    // Types are erased, so the activities' signatures may be imported.
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'crypto', 'mongoose', '../activities*', '../api/*'],
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    // The agent ships on its own: it must not pull in server-only packages.
    files: ['agent/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['mongoose', '@temporalio/*', '../store/*', '../api/*', '../activities/*'] },
      ],
    },
  },
);
