// A stand-in for the parts of the `electron` module the shell uses (app, Tray,
// Menu, nativeImage, Notification, BrowserWindow, clipboard, shell, dialog,
// protocol), for `vi.mock('electron', …)`. It records what the shell asked for
// so tests can assert on it, and lets tests click menu items and notifications.
// Electron's binary cannot run on these machines; this is the one allowed mock.
import { EventEmitter } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeWebContents as FakeIpcWebContents } from './fake-ipc.js';
import type { BrowserWindowConstructorOptions, CustomScheme, MenuItemConstructorOptions, NotificationConstructorOptions } from 'electron';

/** nativeImage.createFromPath result: remembers its path and template flag. */
export class FakeNativeImage {
  template = false;
  constructor(readonly path: string) {}
  setTemplateImage(template: boolean): void {
    this.template = template;
  }
  isTemplateImage(): boolean {
    return this.template;
  }
  isEmpty(): boolean {
    return this.path === '';
  }
}

export const nativeImage = {
  createFromPath: (path: string) => new FakeNativeImage(path),
  createEmpty: () => new FakeNativeImage(''),
};

/** A built menu: the template as the shell passed it. */
export class FakeMenu {
  constructor(readonly template: MenuItemConstructorOptions[]) {}

  static buildFromTemplate(template: MenuItemConstructorOptions[]): FakeMenu {
    return new FakeMenu(template);
  }

  /** Finds an item by id, searching submenus. */
  find(id: string): MenuItemConstructorOptions | undefined {
    return findItem(this.template, id);
  }

  /** Clicks the item with `id`, as a user would; throws if it is missing or disabled. */
  click(id: string): void {
    const item = this.find(id);
    if (item === undefined) throw new Error(`no menu item ${id}`);
    if (item.enabled === false) throw new Error(`menu item ${id} is disabled`);
    if (typeof item.click !== 'function') throw new Error(`menu item ${id} has no click handler`);
    (item.click as () => void)();
  }

  /** The labels top to bottom (separators as '---'), submenus flattened with an indent. */
  labels(): string[] {
    return flattenLabels(this.template, '');
  }
}

function findItem(items: MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions | undefined {
  for (const item of items) {
    if (item.id === id) return item;
    if (Array.isArray(item.submenu)) {
      const found = findItem(item.submenu, id);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function flattenLabels(items: MenuItemConstructorOptions[], indent: string): string[] {
  return items.flatMap((item) => {
    if (item.type === 'separator') return [`${indent}---`];
    const own = `${indent}${item.label ?? ''}`;
    return Array.isArray(item.submenu) ? [own, ...flattenLabels(item.submenu, `${indent}  `)] : [own];
  });
}

/** The tray icon: its image, tooltip and context menu as last set. */
export class FakeTray extends EventEmitter {
  static instances: FakeTray[] = [];
  image: FakeNativeImage;
  tooltip = '';
  menu: FakeMenu | null = null;
  /** How many times a menu was set: the shell should not rebuild an unchanged one. */
  menuSets = 0;
  private destroyed = false;

  constructor(image: FakeNativeImage | string) {
    super();
    this.image = typeof image === 'string' ? new FakeNativeImage(image) : image;
    FakeTray.instances.push(this);
  }
  setImage(image: FakeNativeImage | string): void {
    this.image = typeof image === 'string' ? new FakeNativeImage(image) : image;
  }
  setToolTip(tooltip: string): void {
    this.tooltip = tooltip;
  }
  setContextMenu(menu: FakeMenu | null): void {
    this.menu = menu;
    this.menuSets += 1;
  }
  destroy(): void {
    this.destroyed = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

/** A native notification; `shown` lists every one shown, in order. */
export class FakeNotification extends EventEmitter {
  static shown: FakeNotification[] = [];
  static supported = true;
  closed = false;

  constructor(readonly options: NotificationConstructorOptions) {
    super();
  }
  static isSupported(): boolean {
    return FakeNotification.supported;
  }
  show(): void {
    FakeNotification.shown.push(this);
  }
  close(): void {
    this.closed = true;
  }
}

/**
 * A window's webContents: the IPC fake (sends, lifecycle, an ipcRenderer for
 * the page) plus what the window code uses: loads, the window-open handler and
 * the session's permission handler.
 */
export class FakeWebContents extends FakeIpcWebContents {
  private static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  url = '';
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null = null;
  readonly session = {
    permissionHandler: null as ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null,
    setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void): void {
      this.permissionHandler = handler;
    },
  };

  loadURL(url: string): Promise<void> {
    this.url = url;
    this.emit('load', url);
    return Promise.resolve();
  }
  getURL(): string {
    return this.url;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }): void {
    this.windowOpenHandler = handler;
  }
}

/** A window that records its options and visibility; `close()` runs the shell's close handlers as Electron would. */
export class FakeBrowserWindow extends EventEmitter {
  static instances: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  visible = false;
  focused = false;
  private destroyed = false;

  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
    this.visible = options.show !== false;
    this.bounds = { x: options.x ?? 100, y: options.y ?? 100, width: options.width ?? 800, height: options.height ?? 600 };
    FakeBrowserWindow.instances.push(this);
  }
  loadURL(url: string): Promise<void> {
    return this.webContents.loadURL(url);
  }
  show(): void {
    this.visible = true;
    this.emit('show');
  }
  hide(): void {
    this.visible = false;
    this.emit('hide');
  }
  focus(): void {
    this.focused = true;
  }
  maximized = false;
  /** Where the user has moved and sized the window (starts at what the shell asked for). */
  bounds: { x: number; y: number; width: number; height: number };
  maximize(): void {
    this.maximized = true;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  getNormalBounds(): { x: number; y: number; width: number; height: number } {
    return { ...this.bounds };
  }
  isVisible(): boolean {
    return this.visible;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** What a click on the window's close button does: 'close' handlers may preventDefault. */
  close(): void {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (!prevented) this.destroy();
  }
  destroy(): void {
    this.destroyed = true;
    this.visible = false;
    this.webContents.destroy();
    this.emit('closed');
  }
}

/** `app`: lifecycle events, the single-instance lock, login items and paths. */
export class FakeApp extends EventEmitter {
  gotLock = true;
  quitRequested = 0;
  exitCode: number | null = null;
  isPackaged = false;
  appPath = '/app';
  loginItem = { openAtLogin: false };
  dockHidden = false;
  readonly dock = { hide: () => void (this.dockHidden = true) };

  requestSingleInstanceLock(): boolean {
    return this.gotLock;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  /** Set once a quit went through without a 'before-quit' handler holding it back. */
  quitted = false;
  quit(): void {
    this.quitRequested += 1;
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.quitted = true;
  }
  exit(code = 0): void {
    this.exitCode = code;
  }
  getAppPath(): string {
    return this.appPath;
  }
  /** A folder per name under the temp dir, so code that writes there (window state) works in tests. */
  getPath(name: string): string {
    return join(tmpdir(), `qcc-fake-electron-${process.pid}`, name);
  }
  getVersion(): string {
    return '0.0.0-test';
  }
  appUserModelId: string | null = null;
  setAppUserModelId(id: string): void {
    this.appUserModelId = id;
  }
  setLoginItemSettings(settings: { openAtLogin?: boolean }): void {
    this.loginItem = { openAtLogin: settings.openAtLogin ?? false };
  }
  getLoginItemSettings(): { openAtLogin: boolean } {
    return { ...this.loginItem };
  }
}

export const clipboard = {
  text: '',
  writeText(text: string): void {
    clipboard.text = text;
  },
};

export const shell = {
  opened: [] as string[],
  openExternal(url: string): Promise<void> {
    shell.opened.push(url);
    return Promise.resolve();
  },
};

export const dialog = {
  errors: [] as Array<{ title: string; content: string }>,
  showErrorBox(title: string, content: string): void {
    dialog.errors.push({ title, content });
  },
};

/** Scheme registrations and handlers, so tests can fetch through the app's protocol. */
export const protocol = {
  privileged: [] as CustomScheme[],
  handlers: new Map<string, (request: Request) => Promise<Response> | Response>(),
  registerSchemesAsPrivileged(schemes: CustomScheme[]): void {
    protocol.privileged.push(...schemes);
  },
  handle(scheme: string, handler: (request: Request) => Promise<Response> | Response): void {
    protocol.handlers.set(scheme, handler);
  },
  unhandle(scheme: string): void {
    protocol.handlers.delete(scheme);
  },
};

export const app = new FakeApp();

/** One 1920×1080 display unless a test says otherwise. */
export const screen = {
  workAreas: [{ x: 0, y: 0, width: 1920, height: 1080 }],
  getAllDisplays(): Array<{ workArea: { x: number; y: number; width: number; height: number } }> {
    return screen.workAreas.map((workArea) => ({ workArea }));
  },
};

/** Forget everything recorded; call in `beforeEach`. */
export function resetFakeShell(): void {
  FakeTray.instances = [];
  FakeNotification.shown = [];
  FakeNotification.supported = true;
  FakeBrowserWindow.instances = [];
  clipboard.text = '';
  shell.opened = [];
  dialog.errors = [];
  protocol.privileged = [];
  protocol.handlers.clear();
  screen.workAreas = [{ x: 0, y: 0, width: 1920, height: 1080 }];
  app.removeAllListeners();
  Object.assign(app, { gotLock: true, quitRequested: 0, quitted: false, appUserModelId: null, exitCode: null, isPackaged: false, appPath: '/app', dockHidden: false });
  app.loginItem = { openAtLogin: false };
}

const shellMembers = {
  app,
  Tray: FakeTray,
  Menu: FakeMenu,
  nativeImage,
  Notification: FakeNotification,
  BrowserWindow: FakeBrowserWindow,
  clipboard,
  shell,
  dialog,
  protocol,
  screen,
};

/** The shell half of the mocked `electron` module, as named and default exports (electron-store imports the default). */
export const fakeShellModule = { ...shellMembers, default: shellMembers };
