import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The layer rule is only real if a deliberate violation fails `npm test`.
// These lint the same text as if it lived in each layer's folder.
const eslint = new ESLint({ cwd: process.cwd() });

async function ruleIdsFor(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((message) => message.ruleId ?? `fatal: ${message.message}`);
}

describe('layer rule (architecture.md §1)', () => {
  it('rejects Node built-ins, the wall clock and timers in engine/core', async () => {
    const code = [
      "import { readFileSync } from 'node:fs';",
      "import http from 'http';",
      'export const a = readFileSync;',
      'export const b = http;',
      'export const now = Date.now();',
      'export const today = new Date();',
      'setTimeout(() => undefined, 10);',
      'export const env = process.env;',
    ].join('\n');
    const rules = await ruleIdsFor('src-main/engine/core/violation.ts', code);
    expect(rules.filter((id) => id === 'no-restricted-imports')).toHaveLength(2);
    expect(rules.filter((id) => id === 'no-restricted-syntax')).toHaveLength(2);
    expect(rules.filter((id) => id === 'no-restricted-globals')).toHaveLength(2);
  });

  it('rejects DOM globals and imports from outer layers in engine/core', async () => {
    const code = [
      "import { x } from '../node/settings.js';",
      'export const y = x;',
      'export const title = document.title;',
      "export const res = fetch('http://127.0.0.1');",
    ].join('\n');
    const rules = await ruleIdsFor('src-main/engine/core/violation.ts', code);
    expect(rules).toEqual(['no-restricted-imports', 'no-restricted-globals', 'no-restricted-globals']);
  });

  it('lets the core build dates from injected time', async () => {
    const rules = await ruleIdsFor('src-main/engine/core/ok.ts', 'export const iso = (ms: number) => new Date(ms).toISOString();\n');
    expect(rules).toEqual([]);
  });

  it('allows electron only in src-main/electron and the preload', async () => {
    const code = "import { app } from 'electron';\nexport const a = app;\n";
    expect(await ruleIdsFor('src-main/engine/node/violation.ts', code)).toEqual(['no-restricted-imports']);
    expect(await ruleIdsFor('src-main/daemon/violation.ts', code)).toEqual(['no-restricted-imports']);
    expect(await ruleIdsFor('src-renderer/violation.ts', code)).toEqual(['no-restricted-imports']);
    expect(await ruleIdsFor('src-main/electron/main.ts', code)).toEqual([]);
  });

  it('bans electron-store outside the shell, but not our own src-main/electron folder from its tests', async () => {
    expect(await ruleIdsFor('src-main/daemon/violation.ts', "import Store from 'electron-store';\nexport const s = Store;\n")).toEqual(['no-restricted-imports']);
    expect(await ruleIdsFor('src-renderer/x.spec.ts', "import { COMMANDS } from '../src-main/electron/ipc-bridge.js';\nexport const c = COMMANDS;\n")).toEqual([]);
  });

  it('keeps raw IPC inside the bridge and the preload', async () => {
    const code = [
      "import { ipcMain, type WebContents } from 'electron';",
      "ipcMain.handle('qcc:whatever', () => 1);",
      'export const push = (webContents: WebContents) => webContents.send(\'qcc:event\', 1);',
    ].join('\n');
    expect(await ruleIdsFor('src-main/electron/desktop-app.ts', code)).toEqual(['no-restricted-syntax', 'no-restricted-syntax']);
    expect(await ruleIdsFor('src-main/electron/ipc-bridge.ts', code)).toEqual([]);
  });

  it('keeps src-shared free of our other layers and of Node', async () => {
    const code = "import { Engine } from '../../src-main/engine/core/engine.js';\nimport os from 'node:os';\nexport const e = [Engine, os];\n";
    expect(await ruleIdsFor('src-shared/model/violation.ts', code)).toEqual(['no-restricted-imports', 'no-restricted-imports']);
  });

  it('keeps the renderer on the contract only', async () => {
    const code = "import { Engine } from '../src-main/engine/core/engine.js';\nexport const e = Engine;\n";
    expect(await ruleIdsFor('src-renderer/app.ts', code)).toEqual(['no-restricted-imports']);
  });
});
