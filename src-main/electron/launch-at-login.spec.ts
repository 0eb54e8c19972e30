import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('./testing/fake-shell.js')).fakeShellModule);

const { XdgAutostartEntry, autostartDesktopEntry, autostartFile, loginItemFor } = await import('./launch-at-login.js');
const { app, resetFakeShell } = await import('./testing/fake-shell.js');

let home: string;

beforeEach(async () => {
  resetFakeShell();
  home = await mkdtemp(join(tmpdir(), 'qcc-login-'));
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const packaged = (platform: NodeJS.Platform, env: NodeJS.ProcessEnv = {}) => ({ platform, isPackaged: true, env, execPath: '/opt/QCC/qcc', home });

describe('loginItemFor', () => {
  it('offers nothing for an unpackaged run, which would register the bare Electron binary', () => {
    expect(loginItemFor({ ...packaged('darwin'), isPackaged: false })).toBeNull();
    expect(loginItemFor({ ...packaged('linux'), isPackaged: false })).toBeNull();
  });

  it("uses Electron's login items on macOS and Windows", async () => {
    for (const platform of ['darwin', 'win32'] as const) {
      resetFakeShell();
      const item = loginItemFor(packaged(platform))!;
      expect(await item.isEnabled()).toBe(false);
      await item.setEnabled(true);
      expect(app.loginItem.openAtLogin).toBe(true);
      expect(await item.isEnabled()).toBe(true);
      await item.setEnabled(false);
      expect(app.getLoginItemSettings().openAtLogin).toBe(false);
    }
  });

  it('writes an XDG autostart entry on Linux that starts the AppImage the user launched', async () => {
    const item = loginItemFor(packaged('linux', { APPIMAGE: '/home/u/Apps/QCC.AppImage' }))!;
    expect(item).toBeInstanceOf(XdgAutostartEntry);
    const file = join(home, '.config', 'autostart', 'qcc.desktop');
    expect(await item.isEnabled()).toBe(false);
    await item.setEnabled(true);
    expect(await readFile(file, 'utf8')).toContain('Exec="/home/u/Apps/QCC.AppImage"');
    expect((await stat(file)).mode & 0o777).toBe(0o644);
    expect(await item.isEnabled()).toBe(true);
    await item.setEnabled(false);
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
    expect(await item.isEnabled()).toBe(false);
  });
});

describe('XDG autostart', () => {
  it('honours XDG_CONFIG_HOME when it is absolute', () => {
    expect(autostartFile({ XDG_CONFIG_HOME: '/cfg' }, '/home/u')).toBe('/cfg/autostart/qcc.desktop');
    expect(autostartFile({ XDG_CONFIG_HOME: 'relative' }, '/home/u')).toBe('/home/u/.config/autostart/qcc.desktop');
    expect(autostartFile({}, '/home/u')).toBe('/home/u/.config/autostart/qcc.desktop');
  });

  it('quotes the Exec path so spaces and shell characters stay literal', () => {
    expect(autostartDesktopEntry('/opt/My Apps/q"c$c`\\')).toContain('Exec="/opt/My Apps/q\\"c\\$c\\`\\\\"');
  });

  it('treats an entry the user turned off in their desktop settings as off', async () => {
    const file = join(home, 'qcc.desktop');
    const entry = new XdgAutostartEntry(file, '/opt/QCC/qcc');
    await writeFile(file, `${autostartDesktopEntry('/opt/QCC/qcc')}Hidden=true\n`);
    expect(await entry.isEnabled()).toBe(false);
  });
});
