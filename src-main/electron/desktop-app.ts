// The desktop app: the headless daemon's engine, proxy, health monitor and
// admin server (so the CLI and a browser keep working while the app runs),
// plus the tray, native notifications, the dashboard window and the IPC bridge.
import { unwatchFile, watchFile } from 'node:fs';
import { join } from 'node:path';
import { Notification, clipboard, dialog, ipcMain, screen } from 'electron';
import type { EngineNotification } from '../../src-shared/contract/events.js';
import type { EngineSnapshot } from '../../src-shared/contract/snapshot.js';
import { claudeSettingsPath, connectClaudeCode, disconnectClaudeCode, isConnected } from '../daemon/claude-settings.js';
import { startDaemon, type RunningDaemon } from '../daemon/daemon.js';
import type { SettingsDocumentWriter } from '../engine/node/json-settings-repository.js';
import type { SecretCodec } from '../engine/node/secret-codec.js';
import { APP_ENTRY_URL, APP_ORIGIN, serveRenderer } from './app-protocol.js';
import { DesktopNotifier } from './desktop-notifier.js';
import { createIpcBridge, trustedOrigin, type IpcBridge } from './ipc-bridge.js';
import type { LoginItem } from './launch-at-login.js';
import { MainWindow, type DashboardTarget } from './main-window.js';
import { NotificationPolicy } from './notification-policy.js';
import { trayModel, type TrayAction } from './tray-model.js';
import { TrayView } from './tray-view.js';
import { WindowStateStore, restoreWindowState } from './window-state.js';

export interface DesktopAppOptions {
  /** The data directory shared with the daemon and the CLI. */
  dataDir: string;
  /** Holds `dist/` and `assets/`: `app.getAppPath()` (the asar when packaged, the checkout in development). */
  appDir: string;
  platform: NodeJS.Platform;
  /** The vite dev server in `npm run dev`; null serves the bundled dashboard at qcc://app/. */
  rendererUrl: string | null;
  port?: number;
  adminPort?: number;
  /** Where the window's size and position are kept (Electron's userData); none: not kept. */
  windowStateDir?: string;
  /** Home of Claude Code's settings (~/.claude); tests point it at a temporary folder. */
  claudeHome?: string;
  /** How often Claude Code's settings file is checked for changes made outside the tray (`qcc claude connect`); default 2 s. */
  claudeWatchIntervalMs?: number;
  loginItem: LoginItem | null;
  secrets: SecretCodec;
  settingsWriter?: SettingsDocumentWriter;
  /** The wall clock, for coalescing notifications. */
  now(): number;
  /** Quit the app (Electron's app.quit, which calls stop()). */
  quit(): void;
  /** Diagnostics that are not for the user (stdout in development). */
  log?(line: string): void;
}

/** The running desktop app. Create with {@link DesktopApp.start}. */
export class DesktopApp {
  private snapshot: EngineSnapshot | null = null;
  private claudeConnected = false;
  private launchAtLogin: boolean | null = null;
  private readonly unsubscribe: Array<() => void> = [];
  private stopping: Promise<void> | null = null;

  private constructor(
    private readonly options: DesktopAppOptions,
    readonly daemon: RunningDaemon,
    readonly tray: TrayView,
    readonly window: MainWindow,
    readonly notifier: DesktopNotifier,
    private readonly bridge: IpcBridge,
  ) {}

  static async start(options: DesktopAppOptions): Promise<DesktopApp> {
    const assetsDir = join(options.appDir, 'assets');
    const rendererDir = join(options.appDir, 'dist', 'renderer');
    // Notifications can arrive while the engine starts (e.g. a key rejected at the first probe); they wait for the app.
    let app: DesktopApp | null = null;
    const early: EngineNotification[] = [];
    const daemon = await startDaemon({
      dataDir: options.dataDir,
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.adminPort === undefined ? {} : { adminPort: options.adminPort }),
      staticDir: rendererDir,
      secrets: options.secrets,
      ...(options.settingsWriter ? { settingsWriter: options.settingsWriter } : {}),
      ...(options.claudeHome === undefined ? {} : { claudeHome: options.claudeHome }),
      onNotification: (notification) => (app === null ? early.push(notification) : app.notifier.show(notification)),
    });
    try {
      const { engine } = daemon.host;
      if (options.rendererUrl === null) serveRenderer(rendererDir);
      const entryUrl = options.rendererUrl ?? APP_ENTRY_URL;
      const bridge = createIpcBridge({ ipcMain, engine, isTrustedSender: trustedOrigin([options.rendererUrl ?? APP_ORIGIN]) });
      const windowStates = options.windowStateDir === undefined ? null : new WindowStateStore(options.windowStateDir);
      const window = new MainWindow({
        entryUrl,
        ...(windowStates === null
          ? {}
          : {
              windowState: {
                load: () => restoreWindowState(windowStates.load(), screen.getAllDisplays().map((display) => display.workArea)),
                save: (state) => windowStates.save(state),
              },
            }),
        preloadPath: join(options.appDir, 'dist', 'electron', 'preload.cjs'),
        iconPath: join(assetsDir, 'icon.png'),
        onCreated: (created) => void bridge.attach(created.webContents),
      });
      let self: DesktopApp | null = null;
      const tray = new TrayView({
        assetsDir,
        platform: options.platform,
        onAction: (action) => void self?.perform(action),
        onIconClick: () => window.show(),
      });
      const notifier = new DesktopNotifier({
        policy: new NotificationPolicy({ now: options.now }),
        flags: () => engine.policy,
        onClick: (target) => window.show(target),
        onSwitchBack: (config) => void self?.perform({ type: 'switch', config }),
        iconPath: join(assetsDir, 'icon.png'),
      });
      self = new DesktopApp(options, daemon, tray, window, notifier, bridge);
      app = self;
      await self.begin();
      for (const notification of early.splice(0)) notifier.show(notification);
      return self;
    } catch (error) {
      await daemon.stop();
      throw error;
    }
  }

  /** Tells the user about a problem with the setup (e.g. keys stored unencrypted): a notification and a log line. */
  warn(title: string, body: string): void {
    this.daemon.log.write('problem', { message: `${title}: ${body}` });
    this.daemon.host.engine.reportProblem(`${title}: ${body}`);
    this.tell(title, body, { isError: true });
  }

  /** Opens the dashboard window, at `target` when given. */
  showDashboard(target: DashboardTarget | null = null): void {
    this.window.show(target);
  }

  /** Runs one tray action; failures are shown to the user, never thrown. */
  async perform(action: TrayAction): Promise<void> {
    try {
      await this.run(action);
    } catch (error) {
      this.tell('QCC could not do that', error instanceof Error ? error.message : String(error), { isError: true });
    }
    this.render();
  }

  /** Stops everything the app started; safe to call more than once. */
  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
      this.bridge.dispose();
      this.notifier.closeAll();
      this.window.destroy();
      this.tray.destroy();
      await this.daemon.stop();
    })());
  }

  private async begin(): Promise<void> {
    const { engine } = this.daemon.host;
    this.snapshot = engine.snapshot();
    this.unsubscribe.push(
      engine.on('state:changed', (snapshot) => {
        this.snapshot = snapshot;
        this.render();
      }),
    );
    await Promise.all([this.refreshClaudeConnection(), this.refreshLaunchAtLogin()]);
    this.watchClaudeSettings();
    this.render();
  }

  /**
   * `qcc claude connect` in a terminal, or an edit by hand, changes what the
   * tray's Connect / Disconnect item should say. A stat poll (not fs.watch)
   * also sees the file appear when ~/.claude does not exist yet.
   */
  private watchClaudeSettings(): void {
    const file = claudeSettingsPath(this.options.claudeHome);
    const onChange = () => {
      const before = this.claudeConnected;
      void this.refreshClaudeConnection().then(() => {
        if (this.claudeConnected !== before && this.stopping === null) this.render();
      });
    };
    watchFile(file, { interval: this.options.claudeWatchIntervalMs ?? 2_000, persistent: false }, onChange);
    this.unsubscribe.push(() => unwatchFile(file, onChange));
  }

  private async run(action: TrayAction): Promise<void> {
    const { engine } = this.daemon.host;
    const { proxy } = this.daemon;
    switch (action.type) {
      case 'switch':
        await engine.invoke('failover:switch', { name: action.config, reason: 'switched from the tray' });
        return;
      case 'pin':
        // A manual switch pins; switching to the active config pins it where it is.
        await engine.invoke('failover:switch', { name: action.config, reason: 'pinned from the tray' });
        return;
      case 'unpin':
        await engine.invoke('failover:unpin', {});
        return;
      case 'pause':
        this.daemon.setProxyPaused(true);
        return;
      case 'resume':
        this.daemon.setProxyPaused(false);
        return;
      case 'copy-proxy-url':
        clipboard.writeText(action.url);
        return;
      case 'connect-claude': {
        await connectClaudeCode({ ...this.claudeHome(), proxyUrl: proxy.url, token: this.daemon.proxyToken });
        await this.refreshClaudeConnection();
        this.tell('Claude Code now goes through QCC', 'New Claude Code sessions use the local proxy. Restart running sessions to switch them.');
        return;
      }
      case 'disconnect-claude':
        await disconnectClaudeCode(this.claudeHome());
        await this.refreshClaudeConnection();
        this.tell('Claude Code no longer goes through QCC', 'Its previous settings are restored for new sessions.');
        return;
      case 'drill':
        await engine.invoke('failover:drill', {});
        return;
      case 'open-dashboard':
        this.window.show();
        return;
      case 'set-launch-at-login':
        await this.options.loginItem?.setEnabled(action.enabled);
        await this.refreshLaunchAtLogin();
        return;
      case 'quit':
        this.options.quit();
        return;
    }
  }

  private render(): void {
    this.tray.render(
      trayModel({
        snapshot: this.snapshot,
        proxyRunning: this.stopping === null,
        proxyPaused: this.daemon.proxy.paused,
        proxyUrl: this.daemon.proxyUrl,
        claudeConnected: this.claudeConnected,
        launchAtLogin: this.launchAtLogin,
      }),
    );
  }

  private async refreshClaudeConnection(): Promise<void> {
    try {
      this.claudeConnected = await isConnected({ ...this.claudeHome(), proxyUrl: this.daemon.proxyUrl });
    } catch {
      this.claudeConnected = false;
    }
  }

  private async refreshLaunchAtLogin(): Promise<void> {
    this.launchAtLogin = this.options.loginItem === null ? null : await this.options.loginItem.isEnabled();
  }

  private claudeHome(): { home?: string } {
    return this.options.claudeHome === undefined ? {} : { home: this.options.claudeHome };
  }

  /** A message outside the engine's notifications: a result or an error of the user's own action. */
  private tell(title: string, body: string, { isError = false } = {}): void {
    this.options.log?.(`${title}: ${body}`);
    if (Notification.isSupported()) new Notification({ title, body }).show();
    else if (isError) dialog.showErrorBox(title, body);
  }
}
