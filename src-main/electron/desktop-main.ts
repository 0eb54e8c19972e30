// The Electron main process's lifecycle: one instance, hidden in the tray,
// the desktop app started once Electron is ready and stopped before it quits.
import { join } from 'node:path';
import { app, dialog, safeStorage } from 'electron';
import { resolveDataDir } from '../engine/node/data-dir.js';
import { findRunningDaemon } from '../daemon/daemon-state.js';
import { registerAppScheme } from './app-protocol.js';
import { DesktopApp } from './desktop-app.js';
import { ElectronStoreSettingsWriter } from './electron-store-settings-writer.js';
import { loginItemFor } from './launch-at-login.js';
import { SafeStorageSecretCodec, describeSecretProtection } from './safe-storage-codec.js';

/** electron-builder.yml's appId: Windows shows a toast only for an app with this id on its Start-menu shortcut. */
export const APP_ID = 'dev.qcc.desktop';

/** Printed on stdout once the tray is up; `npm start` waits for it to know Electron started. */
export const READY_LINE = 'qcc-desktop-ready';

/**
 * Where the desktop app listens: the daemon's defaults, unless `--port` /
 * `--admin-port` (as `npm start -- --port N` passes them) or QCC_PORT /
 * QCC_ADMIN_PORT say otherwise. Flags win over the environment.
 */
export function listenPorts(argv: readonly string[], env: NodeJS.ProcessEnv): { port?: number; adminPort?: number } {
  const ports: { port?: number; adminPort?: number } = {};
  const port = parsePort(flagValue(argv, '--port') ?? env.QCC_PORT, flagValue(argv, '--port') === undefined ? 'QCC_PORT' : '--port');
  const adminPort = parsePort(
    flagValue(argv, '--admin-port') ?? env.QCC_ADMIN_PORT,
    flagValue(argv, '--admin-port') === undefined ? 'QCC_ADMIN_PORT' : '--admin-port',
  );
  if (port !== undefined) ports.port = port;
  if (adminPort !== undefined) ports.adminPort = adminPort;
  return ports;
}

function flagValue(argv: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === flag) return argv[i + 1] ?? '';
    if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
  }
  return undefined;
}

function parsePort(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65_535) throw new Error(`${name} must be a port number from 0 to 65535, not "${raw}"`);
  return port;
}

/** What the lifecycle needs from the process; tests pass their own. */
export interface DesktopProcess {
  env: NodeJS.ProcessEnv;
  argv: readonly string[];
  platform: NodeJS.Platform;
  write(line: string): void;
  onSignal(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void;
}

const REAL_PROCESS: DesktopProcess = {
  env: process.env,
  argv: process.argv,
  platform: process.platform,
  write: (line) => void process.stdout.write(`${line}\n`),
  onSignal: (signal, handler) => void process.on(signal, handler),
};

/** Runs the desktop app in this Electron main process; resolves once it is up (or has given up). */
export async function runDesktop(host: DesktopProcess = REAL_PROCESS): Promise<DesktopApp | null> {
  // Privileged schemes must be registered before `ready`.
  registerAppScheme();
  if (!app.requestSingleInstanceLock()) {
    // The first instance gets 'second-instance' and shows its dashboard.
    app.quit();
    return null;
  }
  let desktop: DesktopApp | null = null;
  let stopped = false;
  app.on('second-instance', () => desktop?.showDashboard());
  // The app lives in the tray: closing the last window must not quit it.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => {
    if (desktop === null || stopped) return;
    // Stop the proxy and flush the history before Electron tears down.
    event.preventDefault();
    const running = desktop;
    desktop = null;
    void running.stop().finally(() => {
      stopped = true;
      app.quit();
    });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) host.onSignal(signal, () => app.quit());

  if (host.platform === 'win32') app.setAppUserModelId(APP_ID);
  await app.whenReady();
  if (host.platform === 'darwin') app.dock?.hide();
  try {
    desktop = await startDesktop(host);
    host.write(READY_LINE);
    return desktop;
  } catch (error) {
    dialog.showErrorBox('QCC could not start', error instanceof Error ? error.message : String(error));
    stopped = true;
    app.exit(1);
    return null;
  }
}

async function startDesktop(host: DesktopProcess): Promise<DesktopApp> {
  const { env, platform } = host;
  const dataDir = resolveDataDir(env);
  const ports = listenPorts(host.argv, env);
  const daemon = await findRunningDaemon(dataDir);
  if (daemon !== null && daemon.pid !== process.pid) {
    throw new Error(
      `A headless QCC daemon is already running (pid ${daemon.pid}, proxy ${daemon.proxy_url}). ` +
        'Stop it with `qcc proxy stop`, then start the app again.',
    );
  }
  const protection = describeSecretProtection({ safeStorage, platform, settingsFile: join(dataDir, 'settings.json') });
  const desktop = await DesktopApp.start({
    dataDir,
    appDir: app.getAppPath(),
    platform,
    rendererUrl: env.QCC_RENDERER_URL ?? null,
    windowStateDir: app.getPath('userData'),
    ...ports,
    loginItem: loginItemFor({ platform, isPackaged: app.isPackaged, env, execPath: process.execPath }),
    secrets: new SafeStorageSecretCodec(safeStorage, { platform }),
    settingsWriter: new ElectronStoreSettingsWriter(dataDir),
    now: () => Date.now(),
    quit: () => app.quit(),
    log: (line) => host.write(line),
  });
  if (protection.warning !== null) desktop.warn('API keys are not encrypted', protection.warning);
  return desktop;
}
