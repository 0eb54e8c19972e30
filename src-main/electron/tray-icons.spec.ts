import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { trayImageFile } from './tray-icons.js';
import type { TrayIcon } from './tray-model.js';

const ASSETS = fileURLToPath(new URL('../../assets', import.meta.url));
const STATES: TrayIcon[] = ['green', 'amber', 'red', 'grey'];

describe('trayImageFile', () => {
  it('names a generated file for every state on every platform, with its @2x sibling where Electron looks for one', async () => {
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      for (const state of STATES) {
        const file = trayImageFile(state, platform, ASSETS);
        await expect(access(file.path), `${platform} ${state}`).resolves.toBeUndefined();
        if (file.path.endsWith('.png')) await expect(access(file.path.replace(/\.png$/, '@2x.png'))).resolves.toBeUndefined();
      }
    }
  });

  it('uses template images on macOS only', () => {
    expect(trayImageFile('red', 'darwin', ASSETS)).toMatchObject({ template: true });
    expect(trayImageFile('red', 'darwin', ASSETS).path).toMatch(/Template\.png$/);
    expect(trayImageFile('red', 'win32', ASSETS)).toMatchObject({ template: false });
    expect(trayImageFile('red', 'linux', ASSETS).path).toMatch(/tray-red\.png$/);
  });
});
