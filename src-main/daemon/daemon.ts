import { watch, type FSWatcher } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EngineNotification } from '../../src-shared/contract/events.js';
import { loadOrCreateToken } from '../engine/node/access-token.js';
import { AdminServer } from '../engine/node/admin-server.js';
import { HealthMonitor } from '../engine/node/health-monitor.js';
import { HttpProber } from '../engine/node/http-prober.js';
import { ProxyServer } from '../engine/node/proxy/proxy-server.js';
import { RotatingLog } from '../engine/node/rotating-log.js';
import type { SettingsDocumentWriter } from '../engine/node/json-settings-repository.js';
import type { SecretCodec } from '../engine/node/secret-codec.js';
import { startNodeEngine, type NodeEngine } from '../engine/node/start-node-engine.js';
import { detectClaudeUpstream } from './claude-settings.js';
import { removeDaemonState, writeDaemonState } from './daemon-state.js';

/** Default ports: the proxy Claude Code points at, and the admin server next to it. */
export const DEFAULT_PROXY_PORT = 7860;
export const DEFAULT_ADMIN_PORT = 7861;

const DASHBOARD_DIR = fileURLToPath(new URL('../../dist/renderer', import.meta.url));

export interface DaemonOptions {
  dataDir: string;
  host?: string;
  port?: number;
  adminPort?: number;
  /** Where notifications go besides the log (the terminal in the foreground). */
  onNotification?: (notification: EngineNotification) => void;
  /** Built dashboard; defaults to `dist/renderer` in this checkout. */
  staticDir?: string;
  /** How API keys are kept at rest: the desktop app seals them with the OS keychain; plain Node stores them as is. */
  secrets?: SecretCodec;
  /** How settings.json is written (the desktop app writes through electron-store). */
  settingsWriter?: SettingsDocumentWriter;
  /** The home whose ~/.claude/settings.json `claude:import` reads; tests point it at a temporary folder. */
  claudeHome?: string;
}

export interface RunningDaemon {
  host: NodeEngine;
  proxy: ProxyServer;
  /** The local access token Claude Code presents to the proxy. */
  proxyToken: string;
  /** Stops forwarding (clients get a clear 503) or starts again; the engine's snapshot shows which. */
  setProxyPaused(paused: boolean): void;
  proxyUrl: string;
  adminUrl: string;
  /** Opens the dashboard with access: the admin token rides in the fragment, never sent to a server. */
  dashboardUrl: string;
  log: RotatingLog;
  stop(): Promise<void>;
}

/**
 * The headless QCC: engine + proxy + health monitor + admin server over one
 * data directory. The desktop app hosts the same pieces.
 */
export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
  const { dataDir } = options;
  const log = new RotatingLog({ dir: `${dataDir}/logs` });
  const prober = new HttpProber();
  const host = await startNodeEngine({
    dataDir,
    prober,
    claudeCode: { detect: () => detectClaudeUpstream(options.claudeHome === undefined ? {} : { home: options.claudeHome }) },
    ...(options.secrets ? { secrets: options.secrets } : {}),
    ...(options.settingsWriter ? { settingsWriter: options.settingsWriter } : {}),
    notifier: {
      notify: (notification) => {
        log.write('notification', { ...notification });
        options.onNotification?.(notification);
      },
    },
  });
  const { engine } = host;
  for (const problem of engine.snapshot().problems) log.write('problem', { message: problem });
  engine.on('history:appended', (event) => log.write('decision', { ...event }));
  engine.on('health:changed', (transition) => log.write('health', { ...transition }));

  const [proxyToken, adminToken] = await Promise.all([loadOrCreateToken(dataDir, 'proxy-token'), loadOrCreateToken(dataDir, 'admin-token')]);
  const proxy = new ProxyServer({ engine, token: proxyToken, onRequest: (entry) => log.write('request', { ...entry }) });
  const startedAt = new Date().toISOString();
  const admin = new AdminServer({
    engine,
    token: adminToken,
    staticDir: options.staticDir ?? DASHBOARD_DIR,
    describe: () => ({ pid: process.pid, proxy_url: proxy.url, started_at: startedAt }),
  });
  const monitor = new HealthMonitor({ engine, prober });

  try {
    await proxy.listen(options.port ?? DEFAULT_PROXY_PORT, options.host ?? '127.0.0.1');
    await admin.listen(options.adminPort ?? DEFAULT_ADMIN_PORT, '127.0.0.1');
  } catch (error) {
    await Promise.allSettled([proxy.close(), admin.close(), prober.close()]);
    throw portError(error);
  }
  engine.setProxyState({ url: proxy.url, paused: false });
  monitor.start();
  const watcher = watchSettings(host);
  await writeDaemonState(dataDir, { pid: process.pid, proxy_url: proxy.url, admin_url: admin.url, started_at: startedAt });
  log.write('daemon', { event: 'started', pid: process.pid, proxy_url: proxy.url, admin_url: admin.url });
  log.flush();

  let stopping: Promise<void> | null = null;
  return {
    host,
    proxy,
    proxyToken,
    setProxyPaused: (paused) => {
      if (paused) proxy.pause();
      else proxy.resume();
      engine.setProxyState({ url: proxy.url, paused: proxy.paused });
      log.write('daemon', { event: paused ? 'proxy_paused' : 'proxy_resumed' });
    },
    proxyUrl: proxy.url,
    adminUrl: admin.url,
    dashboardUrl: `${admin.url}/#token=${adminToken}`,
    log,
    stop: () =>
      (stopping ??= (async () => {
        watcher.close();
        await monitor.stop();
        await Promise.allSettled([proxy.close(), admin.close()]);
        await prober.close();
        await engine.whenPersisted();
        await removeDaemonState(dataDir, process.pid);
        log.write('daemon', { event: 'stopped', pid: process.pid });
        log.flush();
      })()),
  };
}

/**
 * Picks up settings written by another process (the CLI without the daemon,
 * an editor) so they take effect at once. Our own writes come back here too;
 * adopting the same document again is harmless.
 */
function watchSettings(host: NodeEngine): { close(): void } {
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  const reload = () => {
    timer = null;
    host.settings
      .load()
      .then(({ settings, problems }) => {
        // A reload that lands after stop() must not wake the engine (it would write into a removed directory).
        if (!closed && problems.length === 0) host.engine.adoptSettings(settings);
      })
      .catch(() => undefined);
  };
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(host.dataDir, (_event, file) => {
      if (file !== 'settings.json' || closed) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(reload, 100);
      timer.unref();
    });
    watcher.unref();
  } catch {
    // Without fs.watch, changes still arrive through the admin API.
  }
  return {
    close: () => {
      closed = true;
      if (timer) clearTimeout(timer);
      watcher?.close();
    },
  };
}

function portError(error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const address = (error as { address?: string; port?: number }).port;
  if (code === 'EADDRINUSE') return new Error(`port ${address} is already in use (another QCC, or pick one with --port / --admin-port)`);
  if (code === 'EACCES') return new Error(`not allowed to listen on port ${address}`);
  return error instanceof Error ? error : new Error(String(error));
}
