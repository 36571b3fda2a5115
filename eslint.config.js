// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const driverRule = (allowed, name, message) => ({
  files: ['lib/**/*.ts', 'services/**/*.ts'],
  ignores: allowed,
  rules: {
    'no-restricted-imports': ['error', { paths: [{ name, message }] }],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['lib/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../*', '!../core/*'],
              message: 'lib/core imports nothing else in the project.',
            },
            {
              group: ['node:fs*', 'node:net', 'node:http*', 'undici', 'pg'],
              message: 'lib/core does no I/O.',
            },
          ],
        },
      ],
    },
  },
  driverRule(
    ['lib/storage/postgres/**'],
    'pg',
    'pg is imported only in lib/storage/postgres/.',
  ),
  driverRule(
    ['lib/storage/postgres/**'],
    '@electric-sql/pglite',
    'PGlite is imported only in lib/storage/postgres/.',
  ),
  driverRule(
    ['lib/registry/client/**', 'lib/outbound/**'],
    'undici',
    'undici is imported only in lib/registry/client/.',
  ),
  driverRule(
    ['lib/scan/layers/extract.ts'],
    'tar',
    'tar is imported only in lib/scan/layers/extract.ts.',
  ),
  driverRule(['services/**'], 'express', 'express appears only in services/.'),
  driverRule(
    ['lib/storage/s3/**'],
    '@aws-sdk/client-s3',
    '@aws-sdk/client-s3 is imported only in lib/storage/s3/.',
  ),
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-console': 'off',
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
