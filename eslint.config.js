import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // Browser scripts served as they are (the app's and the embedded provider's) are not part of the TypeScript project.
  {
    ignores: [
      'node_modules/',
      'dist/',
      'dist-*/',
      'test-output/',
      'bench/results/',
      'public/',
      'src/dev-provider/assets/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['eslint.config.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
