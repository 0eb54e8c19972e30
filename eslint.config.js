// Lint, and the layer rule of architecture.md §1 enforced by it:
//   src-shared ← engine/core ← engine/node ← daemon / electron; renderer ← src-shared only.
// A file's layer comes from its folder (VS Code's `code-layering` idea).
import js from '@eslint/js';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...new Set(builtinModules.flatMap((name) => [name, `${name}/*`, `node:${name}`]))].concat('node:*');

const ban = (group, message) => ({ group, message });
// A regex, not globs: the glob 'electron/*' would also match our own folder (`../src-main/electron/x.js`).
const ELECTRON = { regex: '^(electron(/.*)?|electron-store)$', message: 'Only src-main/electron (and the preload) may import Electron.' };
const NODE = ban(nodeBuiltins, 'This layer runs without Node: no Node built-in modules.');
const NODE_LIBS = ban(['undici', 'conf', 'ws', 'tsx', 'vitest', 'vitest/*'], 'This layer runs without Node: no Node libraries.');
// Relative paths (`../node/x.js`) defeat glob patterns, so layers are matched by folder name.
const folders = (...names) => ({ regex: `(^|/)(${names.join('|')})/` });
const UP_FROM_CORE = { ...folders('node', 'daemon', 'electron', 'preload', 'src-renderer'), message: 'engine/core imports src-shared and itself only.' };
const UP_FROM_SHARED = { ...folders('src-main', 'src-renderer'), message: 'src-shared imports nothing of ours.' };
const UP_FROM_NODE = { ...folders('daemon', 'electron', 'preload', 'src-renderer'), message: 'engine/node must not import its hosts.' };
const FROM_RENDERER = { ...folders('src-main'), message: 'The renderer talks to the engine only through the contract in src-shared.' };

const restrictImports = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

// GitHub Desktop's rule: raw IPC only in the bridge and the preload, so every channel goes through src-shared/contract/ipc.ts.
const RAW_IPC = 'Raw IPC lives only in src-main/electron/ipc-bridge.ts and src-main/preload/ (channels: src-shared/contract/ipc.ts).';
const noRawIpc = {
  'no-restricted-syntax': [
    'error',
    { selector: 'CallExpression[callee.object.name=/^(ipcMain|ipcRenderer)$/]', message: RAW_IPC },
    { selector: "CallExpression[callee.property.name=/^(send|sendToFrame|postMessage)$/][callee.object.property.name='webContents']", message: RAW_IPC },
    { selector: 'CallExpression[callee.property.name=/^(send|sendToFrame|postMessage)$/][callee.object.name=/^(webContents|contents|wc)$/]', message: RAW_IPC },
    { selector: "MemberExpression[property.name='ipc'][object.property.name='webContents']", message: RAW_IPC },
    { selector: "CallExpression[callee.object.name='contextBridge']", message: RAW_IPC },
  ],
};

// The wall clock and real timers: the core gets time only through its injected Clock.
const noWallClock = {
  'no-restricted-syntax': [
    'error',
    { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'engine/core reads time only through the injected Clock.' },
    { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'engine/core reads time only through the injected Clock.' },
    { selector: "CallExpression[callee.object.name='performance'][callee.property.name='now']", message: 'engine/core reads time only through the injected Clock.' },
  ],
  'no-restricted-globals': [
    'error',
    ...['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'queueMicrotask'].map((name) => ({
      name,
      message: 'engine/core has no timers; hosts drive it (Engine.tick) with a Scheduler.',
    })),
    ...['process', 'Buffer', 'require', '__dirname', '__filename', 'global'].map((name) => ({ name, message: 'engine/core runs without Node.' })),
    ...['window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'fetch', 'XMLHttpRequest', 'WebSocket', 'performance'].map((name) => ({
      name,
      message: 'engine/core runs without the DOM or platform I/O.',
    })),
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', '.tsbuild/**', 'dist/**', 'release/**', 'out/**', 'coverage/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  { files: ['**/*.{ts,tsx,js,mjs}'], rules: restrictImports(ELECTRON) },
  { files: ['src-main/electron/**', 'src-main/preload/**'], rules: { 'no-restricted-imports': 'off' } },
  { files: ['src-shared/**/*.ts'], ignores: ['**/*.spec.ts'], rules: { ...restrictImports(ELECTRON, NODE, NODE_LIBS, UP_FROM_SHARED), ...noWallClock } },
  { files: ['src-main/engine/core/**/*.ts'], ignores: ['**/*.spec.ts'], rules: { ...restrictImports(ELECTRON, NODE, NODE_LIBS, UP_FROM_CORE), ...noWallClock } },
  { files: ['src-main/engine/node/**/*.ts'], ignores: ['**/*.spec.ts'], rules: restrictImports(ELECTRON, UP_FROM_NODE) },
  { files: ['src-renderer/**/*.{ts,tsx}'], ignores: ['**/*.spec.{ts,tsx}', 'src-renderer/vite.config.ts'], rules: restrictImports(ELECTRON, NODE, NODE_LIBS, FROM_RENDERER) },
  {
    files: ['src-main/**/*.ts', 'src-renderer/**/*.{ts,tsx}'],
    // core and shared keep their own no-restricted-syntax (the wall clock); they cannot reach IPC anyway.
    ignores: ['src-main/electron/ipc-bridge.ts', 'src-main/preload/**', '**/*.spec.{ts,tsx}', 'src-main/electron/testing/**', 'src-main/engine/core/**', 'src-shared/**'],
    rules: noRawIpc,
  },
  { files: ['**/*.{js,mjs}'], languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } } },
);
