import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The folder table of the README's design notes, enforced: each layer imports only the layers below it.
 * `allowed` is a regular expression of what may follow `../` (or `./` for the files at `platform/`'s root).
 */
const INTERNALS = {
  group: ['cdk8s-plus-27/lib/**', 'cdk8s/lib/**'],
  message: "Import from the package's index (`import { k8s } from 'cdk8s-plus-27'`), not its internals.",
};
const layer = (files, regex, table) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: [{ regex, message: `${table} (the folder table in the README's design notes).` }, INTERNALS] },
    ],
  },
});
/** The rules of `platform/cloud/` (`extra`: one more forbidden pattern); it never loads cdk8s. */
const cloudLayer = (files, ignores, table, extra = '') => ({
  files,
  ignores,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: `^(\\.\\./)+(core|crds|networking|mesh|observability|workloads)/|^(\\.\\./)+(chart|chart-props|settings|synth|testing)$${extra}`,
            message: `${table} (the folder table in the README's design notes).`,
          },
          {
            group: ['cdk8s', 'cdk8s-plus-27', 'cdk8s-plus-27/**', 'constructs'],
            message: "platform/cloud/ never loads cdk8s (the folder table in the README's design notes).",
          },
        ],
      },
    ],
  },
});
const PLATFORM_TOP =
  '(core|crds|networking|mesh|observability|workloads|cloud)/|(chart|chart-props|contract|settings|synth|testing)$';
const layers = [
  layer(['platform/contract.ts'], '^\\.', 'platform/contract.ts imports nothing of the project'),
  layer(
    ['platform/core/**/*.ts'],
    '^\\.\\./(?!contract$)',
    'platform/core/ imports cdk8s, constructs and the contract only',
  ),
  layer(
    ['platform/networking/**/*.ts', 'platform/mesh/**/*.ts', 'platform/observability/**/*.ts'],
    '^\\.\\./(?!(core|crds)/|contract$)',
    "networking/, mesh/ and observability/ import core, crds and the contract (each other only through core's graph types)",
  ),
  // The Route construct registers with its chart, like a workload.
  layer(
    ['platform/networking/routes.ts'],
    '^\\.\\./(?!(core|crds)/|contract$|chart$)',
    'a Route imports core, crds, the contract and its chart',
  ),
  layer(
    ['platform/workloads/**/*.ts'],
    '^\\.\\./(?!(core|crds|networking|mesh|observability)/|contract$|chart$)',
    'platform/workloads/ imports the chart, networking, mesh, observability, core, crds and the contract',
  ),
  layer(
    ['platform/chart.ts', 'platform/chart-props.ts'],
    '^\\./(?!(core|networking|mesh|observability)/|contract$|chart-props$)',
    'platform/chart.ts (and its props, chart-props.ts) imports networking, mesh, observability, core and the contract',
  ),
  cloudLayer(
    ['platform/cloud/stack/**/*.ts'],
    [],
    'platform/cloud/stack/ imports the rest of platform/cloud, the contract and @pulumi/*',
  ),
  // The components never import the programs built from them.
  cloudLayer(
    ['platform/cloud/**/*.ts'],
    ['platform/cloud/stack/**/*.ts'],
    'platform/cloud/ imports the contract and @pulumi/* only (not the programs of platform/cloud/stack/)',
    '|^(\\.\\./)*(\\./)?stack(/|$)',
  ),
  // stacks/ holds the programs and stack files only: it runs the `k8s-platform/cloud` entry, as a consumer's does.
  layer(
    ['stacks/**/*.ts'],
    '^\\.\\./(?!platform/cloud/stack$)',
    'stacks/ imports the k8s-platform/cloud entry (platform/cloud/stack) only',
  ),
  layer(
    ['apps/**/*.ts'],
    `^\\.\\./platform/(${PLATFORM_TOP})`,
    "apps/ import the platform's public API only ('../platform')",
  ),
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'charts-out/',
      'platform/crds/',
      'coverage/',
      'examples/*/node_modules/',
      'examples/*/charts-out/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
      // The layers below repeat INTERNALS: a file's last matching rule replaces this one.
      'no-restricted-imports': ['error', { patterns: [INTERNALS] }],
    },
  },
  ...layers,
  { files: ['eslint.config.mjs'], rules: { 'no-restricted-syntax': 'off' } },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      globals: {
        module: 'writable',
        require: 'readonly',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
