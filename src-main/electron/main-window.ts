// The dashboard window: created on demand, locked down, destroyed on close
// (the app lives on in the tray; a hidden window would keep a renderer's
// memory for nothing).
import { BrowserWindow, shell, type WebPreferences } from 'electron';
import { originOf } from './origin.js';
import { DEFAULT_WINDOW_STATE, MIN_WINDOW_SIZE, type WindowState } from './window-state.js';

export interface MainWindowOptions {
  /** Where the dashboard loads from: `qcc://app/index.html`, or the dev server in `npm run dev`. */
  entryUrl: string;
  preloadPath: string;
  iconPath?: string;
  /** A new window's webContents, so the IPC bridge can attach to it. */
  onCreated(window: BrowserWindow): void;
  /** Where the window was last left; without it every window opens at the default size. */
  windowState?: { load(): WindowState; save(state: WindowState): void };
}

/** Where the dashboard should open: a history entry, or a config. */
export interface DashboardTarget {
  event_id: string | null;
  config: string | null;
}

/**
 * The renderer's powers: none beyond the preload's bridge. Isolated, sandboxed,
 * no Node, no remote content, no webviews.
 */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  };
}

/** The dashboard URL for a target: a fragment the dashboard reads (`#event=<id>`). */
export function dashboardUrl(entryUrl: string, target: DashboardTarget | null): string {
  const base = entryUrl.split('#')[0] ?? entryUrl;
  if (target?.event_id) return `${base}#event=${encodeURIComponent(target.event_id)}`;
  return base;
}

/** Only http(s) links leave the app, and they open in the user's browser. */
export function isExternalLink(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

const ALLOWED_PERMISSIONS = new Set(['clipboard-sanitized-write']);

export class MainWindow {
  private window: BrowserWindow | null = null;

  constructor(private readonly options: MainWindowOptions) {}

  /** Shows the dashboard (creating the window if needed), at `target` when given. */
  show(target: DashboardTarget | null = null): void {
    const url = dashboardUrl(this.options.entryUrl, target);
    if (this.window === null || this.window.isDestroyed()) {
      this.window = this.create();
      void this.window.loadURL(url);
    } else if (target !== null) {
      // Fragment-only change: the page stays, the dashboard scrolls to the event. The same
      // fragment twice fires no hashchange, so clear it first to bring the entry back into view.
      const { webContents } = this.window;
      if (webContents.getURL() === url) void webContents.loadURL(dashboardUrl(this.options.entryUrl, null));
      void webContents.loadURL(url);
    }
    const window = this.window;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  }

  /** The open window, if any. */
  get current(): BrowserWindow | null {
    return this.window !== null && !this.window.isDestroyed() ? this.window : null;
  }

  destroy(): void {
    if (this.window !== null && !this.window.isDestroyed()) this.window.destroy();
    this.window = null;
  }

  private create(): BrowserWindow {
    const state = this.options.windowState?.load() ?? DEFAULT_WINDOW_STATE;
    const window = new BrowserWindow({
      width: state.width,
      height: state.height,
      ...(state.x === undefined || state.y === undefined ? {} : { x: state.x, y: state.y }),
      minWidth: MIN_WINDOW_SIZE.width,
      minHeight: MIN_WINDOW_SIZE.height,
      show: false,
      title: 'QCC',
      autoHideMenuBar: true,
      ...(this.options.iconPath ? { icon: this.options.iconPath } : {}),
      webPreferences: secureWebPreferences(this.options.preloadPath),
    });
    const origin = originOf(this.options.entryUrl);
    const { webContents } = window;
    webContents.on('will-navigate', (event, url) => {
      if (!sameOrigin(url, origin)) event.preventDefault();
    });
    webContents.on('will-attach-webview', (event) => event.preventDefault());
    // No camera, notifications, geolocation…: the dashboard needs none. Writing the proxy URL to the clipboard is all it asks.
    webContents.session.setPermissionRequestHandler((_contents, permission, callback) => callback(ALLOWED_PERMISSIONS.has(permission)));
    webContents.setWindowOpenHandler(({ url }) => {
      if (isExternalLink(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
    if (state.maximized) window.maximize();
    window.on('close', () => {
      // The normal bounds, so un-maximizing next time lands where the user had it.
      const { x, y, width, height } = window.getNormalBounds();
      this.options.windowState?.save({ x, y, width, height, maximized: window.isMaximized() });
    });
    window.on('closed', () => {
      if (this.window === window) this.window = null;
    });
    this.options.onCreated(window);
    return window;
  }
}

function sameOrigin(url: string, origin: string | null): boolean {
  return origin !== null && originOf(url) === origin;
}
