// The composed desktop app with a mocked `electron` (the one boundary that
// cannot run here) over everything real: the engine, the proxy and the health
// monitor on loopback sockets, fake Anthropic upstreams, files in a temp dir.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IpcInvokeReply } from '../../src-shared/contract/ipc.js';
import { IPC_CHANNELS } from '../../src-shared/contract/ipc.js';
import { connectClaudeCode, disconnectClaudeCode } from '../daemon/claude-settings.js';
import { cleanEnv, runQcc } from '../daemon/cli/testing/run-cli.js';
import { FAST_RECOVERY_POLICY } from '../engine/core/testing/fakes.js';
import { FakeAnthropic } from '../fake-upstream/fake-anthropic.js';
import type { DesktopApp as DesktopAppInstance } from './desktop-app.js';

vi.mock('electron', async () => (await import('./testing/fake-electron.js')).fakeElectronModule);

const { DesktopApp } = await import('./desktop-app.js');
const { SafeStorageSecretCodec } = await import('./safe-storage-codec.js');
const { ElectronStoreSettingsWriter } = await import('./electron-store-settings-writer.js');
const { FakeBrowserWindow, FakeNotification, FakeTray, clipboard } = await import('./testing/fake-shell.js');
const { ipcMain, resetFakeElectron, safeStorage } = await import('./testing/fake-electron.js');

const APP_DIR = fileURLToPath(new URL('../../', import.meta.url));
/** The `qcc` CLI as a user runs it, against the same data directory. */
const cli = (...args: string[]) => runQcc(args, { ...cleanEnv(), QCC_HOME: dataDir });

let dataDir: string;
let claudeHome: string;
let desktop: DesktopAppInstance | null = null;
const upstreams: FakeAnthropic[] = [];
let quits = 0;

beforeEach(async () => {
  resetFakeElectron();
  quits = 0;
  dataDir = await mkdtemp(join(tmpdir(), 'qcc-desktop-'));
  claudeHome = await mkdtemp(join(tmpdir(), 'qcc-desktop-home-'));
});

afterEach(async () => {
  await desktop?.stop();
  desktop = null;
  await Promise.all(upstreams.splice(0).map((upstream) => upstream.stop()));
  await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
  await rm(claudeHome, { recursive: true, force: true, maxRetries: 3 });
});

async function fake(name: string): Promise<FakeAnthropic> {
  const upstream = await FakeAnthropic.start({ name, apiKey: keyOf(name) });
  upstreams.push(upstream);
  return upstream;
}

const keyOf = (name: string) => `sk-${name}-upstream-key-0000`;

async function startApp(platform: NodeJS.Platform = 'linux') {
  desktop = await DesktopApp.start({
    dataDir,
    appDir: APP_DIR,
    platform,
    rendererUrl: null,
    port: 0,
    adminPort: 0,
    claudeHome,
    claudeWatchIntervalMs: 20,
    loginItem: null,
    secrets: new SafeStorageSecretCodec(safeStorage, { platform }),
    settingsWriter: new ElectronStoreSettingsWriter(dataDir),
    now: () => Date.now(),
    quit: () => void (quits += 1),
  });
  return desktop;
}

/** production (primary) and backup (secondary), with timings short enough to recover within a test. */
async function twoConfigs(app: DesktopAppInstance, policy: Record<string, unknown> = {}) {
  const [production, backup] = await Promise.all([fake('production'), fake('backup')]);
  const { engine } = app.daemon.host;
  await engine.invoke('policy:update', {
    ...FAST_RECOVERY_POLICY,
    ...policy,
  });
  await engine.invoke('config:add', { name: 'production', tier: 'primary', endpoints: [{ base_url: production.url, api_key: keyOf('production') }] });
  await engine.invoke('config:add', { name: 'backup', tier: 'secondary', endpoints: [{ base_url: backup.url, api_key: keyOf('backup') }] });
  return { production, backup, engine };
}

async function ask(app: DesktopAppInstance) {
  const response = await request(`${app.daemon.proxyUrl}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': app.daemon.proxyToken, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
  });
  await response.body.text();
  return { status: response.statusCode, config: response.headers['x-qcc-config'] };
}

const tray = () => FakeTray.instances[0]!;
const trayState = () => ({ icon: tray().image.path.split('/').at(-1), tooltip: tray().tooltip });
const shownKinds = () => FakeNotification.shown.map((shown) => shown.options.title);

describe('desktop app: tray and notifications over a real engine', () => {
  it('follows a failover and a recovery in the tray, with one notification per switch', async () => {
    const app = await startApp();
    const { production, engine } = await twoConfigs(app);
    expect(await ask(app)).toMatchObject({ status: 200, config: 'production' });
    await expect.poll(trayState).toEqual({ icon: 'tray-green.png', tooltip: expect.stringContaining('production (primary)') });

    await production.setFault({ kind: 'overloaded' });
    for (let i = 0; i < 4; i++) expect(await ask(app)).toMatchObject({ status: 200, config: 'backup' });
    expect(trayState()).toEqual({ icon: 'tray-amber.png', tooltip: expect.stringContaining('backup (secondary)') });
    expect(tray().menu!.labels()[0]).toContain('Failed over');
    expect(tray().menu!.find('switch:backup')).toMatchObject({ checked: true });
    const failovers = FakeNotification.shown.filter((shown) => /backup/.test(shown.options.title ?? ''));
    expect(failovers).toHaveLength(1);

    await production.clearFault();
    await expect.poll(() => engine.activeConfig, { timeout: 15_000, interval: 100 }).toBe('production');
    expect(trayState()).toEqual({ icon: 'tray-green.png', tooltip: expect.stringContaining('production (primary)') });
    // One for the failover, one for the recovery; the requests that failed in between raised no more.
    expect(FakeNotification.shown).toHaveLength(2);
    expect(FakeNotification.shown[1]!.options.title).toMatch(/production/);
  }, 40_000);

  it('respects notify_on_failover, yet always says when every config is down', async () => {
    const app = await startApp();
    const { production, backup } = await twoConfigs(app, { notify_on_failover: false, auto_recovery_enabled: false });
    await production.setFault({ kind: 'overloaded' });
    expect(await ask(app)).toMatchObject({ status: 200, config: 'backup' });
    expect(FakeNotification.shown).toHaveLength(0);
    await backup.setFault({ kind: 'overloaded' });
    expect((await ask(app)).status).toBe(529);
    await expect.poll(() => FakeNotification.shown.length).toBe(1);
    expect(FakeNotification.shown[0]!.options.urgency).toBe('critical');
    expect(trayState().icon).toBe('tray-red.png');
  }, 30_000);

  it('opens the dashboard at the event when a notification is clicked', async () => {
    const app = await startApp();
    const { production, engine } = await twoConfigs(app, { auto_recovery_enabled: false });
    await production.setFault({ kind: 'overloaded' });
    await ask(app);
    const [event] = await engine.invoke('history:query', { limit: 1 });
    FakeNotification.shown[0]!.emit('click');
    const window = FakeBrowserWindow.instances[0]!;
    expect(window.visible).toBe(true);
    expect(window.webContents.getURL()).toBe(`qcc://app/index.html#event=${event!.event_id}`);
  }, 30_000);

  it('offers "Switch back" when the primary is healthy again and auto-recovery is off', async () => {
    const app = await startApp();
    const { production, engine } = await twoConfigs(app, { auto_recovery_enabled: false });
    await production.setFault({ kind: 'overloaded' });
    await ask(app);
    await production.clearFault();
    await expect.poll(() => FakeNotification.shown.find((shown) => shown.options.actions?.length), { timeout: 15_000, interval: 100 }).toBeDefined();
    const offer = FakeNotification.shown.find((shown) => shown.options.actions?.length)!;
    expect(offer.options.title).toMatch(/production is healthy again/);
    offer.emit('action', {}, 0);
    await expect.poll(() => engine.activeConfig).toBe('production');
  }, 30_000);
});

describe('desktop app: tray actions', () => {
  it('switches, pins and unpins from the menu', async () => {
    const app = await startApp();
    const { engine } = await twoConfigs(app);
    tray().menu!.click('switch:backup');
    await expect.poll(() => engine.activeConfig).toBe('backup');
    expect(engine.snapshot().pinned).toBe(true);
    await expect.poll(() => tray().menu!.find('pin')?.label).toBe('Unpin backup');
    tray().menu!.click('pin');
    await expect.poll(() => engine.snapshot().pinned).toBe(false);
    // Unpinned, auto-recovery may take traffic back to the healthy primary.
    await expect.poll(() => engine.activeConfig, { timeout: 15_000, interval: 100 }).toBe('production');
    expect(await ask(app)).toMatchObject({ status: 200, config: 'production' });
  }, 30_000);

  it('pauses the proxy (clients get a clear 503, upstreams nothing) and resumes it', async () => {
    const app = await startApp();
    const { production } = await twoConfigs(app);
    tray().menu!.click('proxy');
    await expect.poll(() => tray().menu!.find('proxy')?.label).toBe('Resume proxy');
    expect(trayState().icon).toBe('tray-grey.png');
    const before = production.requestCount;
    expect((await ask(app)).status).toBe(503);
    expect(production.requestCount).toBe(before);
    tray().menu!.click('proxy');
    await expect.poll(() => tray().menu!.find('proxy')?.label).toBe('Pause proxy');
    expect(await ask(app)).toMatchObject({ status: 200, config: 'production' });
  }, 30_000);

  it('copies the proxy URL and connects / disconnects Claude Code', async () => {
    const app = await startApp();
    tray().menu!.click('copy-proxy-url');
    await expect.poll(() => clipboard.text).toBe(app.daemon.proxyUrl);

    tray().menu!.click('claude');
    await expect.poll(() => tray().menu!.find('claude')?.label).toBe('Disconnect Claude Code');
    const settings = JSON.parse(await readFile(join(claudeHome, '.claude', 'settings.json'), 'utf8')) as { env: Record<string, string> };
    expect(settings.env.ANTHROPIC_BASE_URL).toBe(app.daemon.proxyUrl);
    tray().menu!.click('claude');
    await expect.poll(() => tray().menu!.find('claude')?.label).toBe('Connect Claude Code');
  }, 30_000);

  it('follows Claude Code being connected or disconnected outside the tray (qcc claude connect in a terminal)', async () => {
    const app = await startApp();
    expect(tray().menu!.find('claude')?.label).toBe('Connect Claude Code');
    await connectClaudeCode({ home: claudeHome, proxyUrl: app.daemon.proxyUrl, token: app.daemon.proxyToken });
    await expect.poll(() => tray().menu!.find('claude')?.label).toBe('Disconnect Claude Code');
    await disconnectClaudeCode({ home: claudeHome });
    await expect.poll(() => tray().menu!.find('claude')?.label).toBe('Connect Claude Code');
  }, 30_000);

  it('runs a failover drill and quits from the menu', async () => {
    const app = await startApp();
    const { engine } = await twoConfigs(app);
    tray().menu!.click('drill');
    await expect.poll(() => engine.snapshot().drill?.config).toBe('production');
    expect(engine.activeConfig).toBe('backup');
    tray().menu!.click('quit');
    expect(quits).toBe(1);
  }, 30_000);

  it('shows a failed action to the user instead of dropping it', async () => {
    const app = await startApp();
    await app.perform({ type: 'switch', config: 'no-such-config' });
    expect(shownKinds()).toEqual(['QCC could not do that']);
    expect(FakeNotification.shown[0]!.options.body).toMatch(/no-such-config/);
  });
});

describe('desktop app: window, IPC and storage', () => {
  it('lets its own window drive the engine over IPC, and nobody else', async () => {
    const app = await startApp();
    app.showDashboard();
    const window = FakeBrowserWindow.instances[0]!;
    // The page side, as the preload sees it: the window's own top frame, then a foreign page in the same window.
    const page = window.webContents.ipcRenderer(ipcMain);
    const reply = (await page.invoke(IPC_CHANNELS.invoke, { command: 'state:get', args: {} })) as IpcInvokeReply;
    expect(reply).toMatchObject({ ok: true, result: { active_config: null } });
    const foreign = window.webContents.ipcRenderer(ipcMain, { url: 'https://evil.example/', parent: null });
    const refused = (await foreign.invoke(IPC_CHANNELS.invoke, { command: 'state:get', args: {} })) as IpcInvokeReply;
    expect(refused).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  });

  it('keeps API keys sealed on disk and out of the tray', async () => {
    const app = await startApp();
    await twoConfigs(app);
    const onDisk = await readFile(join(dataDir, 'settings.json'), 'utf8');
    expect(onDisk).not.toContain(keyOf('production'));
    expect(onDisk).toContain('qcc-sealed:v1:');
    expect(JSON.stringify(tray().menu!.template) + tray().tooltip).not.toContain('upstream-key');
    // The engine still has the real key: requests are served.
    expect(await ask(app)).toMatchObject({ status: 200, config: 'production' });
  }, 30_000);

  it('takes a CLI change at once while it runs, and seals the key the CLI sent', async () => {
    const app = await startApp();
    const upstream = await fake('from-cli');
    const added = await cli('add', 'from-cli', '--base-url', upstream.url, '--api-key', keyOf('from-cli'));
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).not.toContain(keyOf('from-cli'));
    expect(app.daemon.host.engine.activeConfig).toBe('from-cli');
    await expect.poll(() => tray().tooltip).toContain('from-cli (primary)');
    expect(await readFile(join(dataDir, 'settings.json'), 'utf8')).not.toContain(keyOf('from-cli'));
    expect(await ask(app)).toMatchObject({ status: 200, config: 'from-cli' });
  }, 30_000);

  it('stops cleanly: tray gone, IPC handlers removed, daemon.json removed', async () => {
    const app = await startApp();
    await app.stop();
    desktop = null;
    expect(tray().isDestroyed()).toBe(true);
    expect(ipcMain.registered().filter((entry) => entry.includes('qcc:'))).toEqual([]);
    await expect(readFile(join(dataDir, 'daemon.json'), 'utf8')).rejects.toThrow(/ENOENT/);
  });
});
