// Lint, and the layer rules that keep Ferry's parts apart (see DESIGN.md, "Layout").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const IDE_APIS = [
  { group: ['vscode'], message: 'The core and the server know no IDE: VS Code glue lives in vscode-ext/.' },
  { group: ['@jupyterlab/*', '@lumino/*'], message: 'The core and the server know no IDE: JupyterLab glue lives in jupyterlab-ext/.' },
  { group: ['react', 'react-dom', 'react/*'], message: 'React belongs in @ferry/ui and the IDE packages, not in the core.' },
];

const NODE_ONLY = [
  { group: ['node:*'], message: 'This code also runs in browsers and webviews: Node APIs belong in @ferry/core/node (shared/core/src/node/).' },
  {
    group: ['fs', 'fs/*', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'util', 'stream', 'url', 'events'],
    message: 'This code also runs in browsers and webviews: Node APIs belong in @ferry/core/node.',
  },
  { group: ['better-sqlite3', 'ssh2', '@kubernetes/client-node'], message: 'Native and server-side libraries belong in @ferry/core/node.' },
  { group: ['**/node', '**/node/*', '@ferry/core/node'], message: 'The browser-safe entry must not reach into the Node side.' },
];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**', '**/dist-web/**', '**/node_modules/**', '.venv/**', '.cache/**', 'vscode-ext/bundle/**',
      // The JupyterLab extension's build output and test artifacts (its sources are linted).
      'jupyterlab-ext/lib/**', 'jupyterlab-ext/ferry_jupyterlab/**', 'jupyterlab-ext/ui-tests/test-results/**', 'jupyterlab-ext/ui-tests/playwright-report/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', performance: 'readonly', setTimeout: 'readonly' } },
  },
  {
    files: ['shared/core/src/**/*.ts'],
    ignores: ['shared/core/src/node/**', 'shared/core/src/**/*.test.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [...IDE_APIS, ...NODE_ONLY] }] },
  },
  {
    files: ['shared/core/src/node/**/*.ts', 'server/src/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: IDE_APIS }] },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // JupyterLab's browser side: thin glue over the browser-safe @ferry/core.
    files: ['jupyterlab-ext/src/**/*.ts', 'jupyterlab-ext/src/**/*.tsx'],
    ignores: ['jupyterlab-ext/src/**/*.test.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: NODE_ONLY }] },
  },
  {
    files: ['shared/ui/src/**/*.ts', 'shared/ui/src/**/*.tsx'],
    ignores: ['shared/ui/src/**/*.test.ts', 'shared/ui/src/**/*.test.tsx'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: NODE_ONLY }] },
  },
  {
    // The extension's logic that VS Code does not need stays testable without it; its webview page is browser code.
    files: ['vscode-ext/src/model/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: ['vscode'], message: 'vscode-ext/src/model is plain logic, unit-tested without VS Code: VS Code calls go in vscode-ext/src/vscode/.' }] }] },
  },
  {
    files: ['vscode-ext/src/webview/**/*.ts'],
    ignores: ['vscode-ext/src/webview/**/*.test.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: ['vscode'], message: 'Webview pages talk to the host by messages only.' }, ...NODE_ONLY] }] },
  },
);
