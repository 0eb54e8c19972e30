import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanEnv, startQcc } from '../daemon/cli/testing/run-cli.js';
import { findRunningDaemon } from '../daemon/daemon-state.js';
import type { DesktopApp } from './desktop-app.js';
import type { DesktopProcess } from './desktop-main.js';

vi.mock('electron', async () => (await import('./testing/fake-electron.js')).fakeElectronModule);

const { APP_ID, READY_LINE, listenPorts, runDesktop } = await import('./desktop-main.js');
const { app, dialog, FakeBrowserWindow, FakeNotification, FakeTray } = await import('./testing/fake-shell.js');
const { resetFakeElectron, safeStorage } = await import('./testing/fake-electron.js');

let dataDir: string;
let desktop: DesktopApp | null = null;

function host(overrides: Partial<DesktopProcess> = {}) {
  const lines: string[] = [];
  const signals = new Map<string, () => void>();
  const process: DesktopProcess = {
    env: { QCC_HOME: dataDir, HOME: dataDir },
    argv: ['electron', '.', '--port', '0', '--admin-port', '0'],
    platform: 'linux',
    write: (line) => lines.push(line),
    onSignal: (signal, handler) => signals.set(signal, handler),
    ...overrides,
  };
  return { process, lines, signals };
}

beforeEach(async () => {
  resetFakeElectron();
  safeStorage.available = true;
  app.appPath = fileURLToPath(new URL('../../', import.meta.url));
  dataDir = await mkdtemp(join(tmpdir(), 'qcc-desktop-main-'));
});

afterEach(async () => {
  await desktop?.stop();
  desktop = null;
  await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
});

afterAll(async () => {
  // The fake userData folder, where the window state of the tests' windows went.
  await rm(dirname(app.getPath('userData')), { recursive: true, force: true });
});

describe('listenPorts', () => {
  it('takes --port / --admin-port over QCC_PORT / QCC_ADMIN_PORT, and neither means the defaults', () => {
    expect(listenPorts(['--port', '9000', '--admin-port=9001'], { QCC_PORT: '1', QCC_ADMIN_PORT: '2' })).toEqual({ port: 9000, adminPort: 9001 });
    expect(listenPorts([], { QCC_PORT: '8000', QCC_ADMIN_PORT: '8001' })).toEqual({ port: 8000, adminPort: 8001 });
    expect(listenPorts([], {})).toEqual({});
  });

  it('names the setting that is not a port', () => {
    expect(() => listenPorts(['--port', 'abc'], {})).toThrow('--port must be a port number from 0 to 65535, not "abc"');
    expect(() => listenPorts([], { QCC_ADMIN_PORT: '70000' })).toThrow(/QCC_ADMIN_PORT must be a port number/);
    expect(() => listenPorts(['--port'], {})).toThrow(/--port/);
  });
});

describe('runDesktop', () => {
  it('starts hidden in the tray and says so on stdout', async () => {
    const { process, lines } = host();
    desktop = await runDesktop(process);
    expect(desktop).not.toBeNull();
    expect(lines).toContain(READY_LINE);
    expect(FakeTray.instances).toHaveLength(1);
    expect(FakeBrowserWindow.instances).toHaveLength(0);
    expect(JSON.parse(await readFile(join(dataDir, 'daemon.json'), 'utf8'))).toMatchObject({ proxy_url: desktop!.daemon.proxyUrl });
  });

  it('hides the Dock icon on macOS and sets the app id Windows needs for notifications', async () => {
    desktop = await runDesktop(host({ platform: 'darwin' }).process);
    expect(app.dockHidden).toBe(true);
    expect(app.appUserModelId).toBeNull();
    await desktop!.stop();
    resetFakeElectron();
    app.appPath = fileURLToPath(new URL('../../', import.meta.url));
    desktop = await runDesktop(host({ platform: 'win32' }).process);
    expect(app.appUserModelId).toBe(APP_ID);
    // The id must be the installer's, or Windows drops the toasts.
    const builderConfig = await readFile(fileURLToPath(new URL('../../electron-builder.yml', import.meta.url)), 'utf8');
    expect(builderConfig).toMatch(new RegExp(`^appId: ${APP_ID.replaceAll('.', '\\.')}$`, 'm'));
  });

  it('leaves when another instance holds the lock; that one shows its dashboard', async () => {
    app.gotLock = false;
    const { process, lines } = host();
    expect(await runDesktop(process)).toBeNull();
    expect(app.quitRequested).toBe(1);
    expect(FakeTray.instances).toHaveLength(0);
    expect(lines).toEqual([]);

    resetFakeElectron();
    app.appPath = fileURLToPath(new URL('../../', import.meta.url));
    desktop = await runDesktop(host().process);
    app.emit('second-instance');
    expect(FakeBrowserWindow.instances).toHaveLength(1);
    expect(FakeBrowserWindow.instances[0]!.visible).toBe(true);
  });

  it('keeps running when its window closes, and stops the engine before quitting', async () => {
    const { process, signals } = host();
    desktop = await runDesktop(process);
    desktop!.showDashboard();
    FakeBrowserWindow.instances[0]!.close();
    app.emit('window-all-closed');
    expect(app.quitRequested).toBe(0);

    signals.get('SIGTERM')!();
    // The first quit is held back while the engine stops; the app quits for real afterwards.
    expect(app.quitted).toBe(false);
    await expect.poll(() => app.quitted).toBe(true);
    await expect(readFile(join(dataDir, 'daemon.json'), 'utf8')).rejects.toThrow(/ENOENT/);
    expect(FakeTray.instances[0]!.isDestroyed()).toBe(true);
    desktop = null;
  });

  it('refuses to start beside a running headless daemon, and says how to fix it', { timeout: 30_000 }, async () => {
    // A daemon in another process, as `qcc proxy start` leaves it.
    const headless = startQcc(['proxy', 'start', '--foreground', '--port', '0', '--admin-port', '0'], { ...cleanEnv(), QCC_HOME: dataDir }, 30_000);
    try {
      await expect.poll(() => findRunningDaemon(dataDir), { timeout: 20_000, interval: 100 }).not.toBeNull();
      desktop = await runDesktop(host().process);
      expect(desktop).toBeNull();
    } finally {
      headless.kill('SIGTERM');
      await headless.done;
    }
    expect(dialog.errors).toHaveLength(1);
    expect(dialog.errors[0]!.content).toMatch(/headless QCC daemon is already running .*qcc proxy stop/);
    expect(app.exitCode).toBe(1);
  });

  it('shows a bad port setting as a start-up error', async () => {
    expect(await runDesktop(host({ argv: ['electron', '.', '--port', 'seventy'] }).process)).toBeNull();
    expect(dialog.errors[0]).toEqual({ title: 'QCC could not start', content: '--port must be a port number from 0 to 65535, not "seventy"' });
  });

  it('warns, once, when API keys cannot be encrypted', async () => {
    safeStorage.available = false;
    desktop = await runDesktop(host().process);
    expect(dialog.errors).toEqual([]);
    const warnings = FakeNotification.shown.filter((shown) => shown.options.title === 'API keys are not encrypted');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.options.body).toContain(join(dataDir, 'settings.json'));
    // And it stays on the dashboard, for whoever missed the notification.
    expect(desktop!.daemon.host.engine.snapshot().problems).toEqual([expect.stringMatching(/^API keys are not encrypted: .*settings\.json/)]);
  });
});
