import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

// Layers that must stay tfjs-free and Node-free (they run in any JS host): no `@tensorflow/*`, no `webgpu`,
// no Node built-in (`node:*`, `fs`, `path`, ...). src/metrics/tensor, src/data/tensor.ts and
// src/data/loader.ts are the tensor forms and may import tfjs; they are left out below.
const tfjsFreeLayers = [
  'src/image/**/*.ts',
  'src/random/**/*.ts',
  'src/masks/**/*.ts',
  'src/cluster/**/*.ts',
  'src/metrics/**/*.ts',
  'src/data/**/*.ts',
];
const tensorForms = ['src/metrics/tensor/**', 'src/data/tensor.ts', 'src/data/loader.ts'];
const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('_'));
const forbiddenMessage =
  'tfjs-free layer: no @tensorflow/*, webgpu or Node built-in here (DESIGN.md, Layers).';
// For dynamic `import('...')`: esquery regexes cannot hold a `/`, so `\x2F` stands for it.
const bareBuiltins = nodeBuiltins.filter((name) => !name.includes('/') && !name.startsWith('node:'));
const forbiddenSource = `^(@tensorflow\\x2F|webgpu($|\\x2F)|node:|(${bareBuiltins.join('|')})($|\\x2F))`;

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'docs/**',
      'node_modules/**',
      'test/consumer/**',
      'coverage/**',
      '.tmp/**',
      'out/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: tfjsFreeLayers,
    ignores: tensorForms,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins, 'webgpu'].map((name) => ({ name, message: forbiddenMessage })),
          patterns: [{ group: ['@tensorflow/*', 'webgpu/*', 'node:*'], message: forbiddenMessage }],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: `ImportExpression[source.value=/${forbiddenSource}/]`,
          message: forbiddenMessage,
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
