import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('./testing/fake-shell.js')).fakeShellModule);

const { MainWindow, dashboardUrl, isExternalLink, secureWebPreferences } = await import('./main-window.js');
const { originOf } = await import('./origin.js');
const { FakeBrowserWindow, resetFakeShell, shell } = await import('./testing/fake-shell.js');

const ENTRY = 'qcc://app/index.html';

function openWindow(entryUrl = ENTRY) {
  const created: unknown[] = [];
  const main = new MainWindow({ entryUrl, preloadPath: '/app/dist/electron/preload.cjs', onCreated: (window) => created.push(window) });
  main.show();
  const window = FakeBrowserWindow.instances.at(-1)!;
  return { main, window, created };
}

/** Emits a webContents event the way Electron does, returning whether a handler prevented it. */
function emitPreventable(window: InstanceType<typeof FakeBrowserWindow>, event: string, ...args: unknown[]): boolean {
  let prevented = false;
  window.webContents.emit(event, { preventDefault: () => (prevented = true) }, ...args);
  return prevented;
}

beforeEach(() => resetFakeShell());

describe('secureWebPreferences', () => {
  it('isolates and sandboxes the renderer, with no Node and no webviews', () => {
    expect(secureWebPreferences('/p.cjs')).toMatchObject({
      preload: '/p.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });
});

describe('MainWindow', () => {
  it('creates one locked-down window on first show, loads the dashboard and hands it to the bridge', () => {
    const { main, window, created } = openWindow();
    expect(window.options.webPreferences).toEqual(secureWebPreferences('/app/dist/electron/preload.cjs'));
    expect(window.webContents.url).toBe(ENTRY);
    expect(window.visible).toBe(true);
    expect(created).toEqual([window]);
    main.show();
    expect(FakeBrowserWindow.instances).toHaveLength(1);
  });

  it('opens at a history entry through the fragment, without a second window', () => {
    const { main, window } = openWindow();
    main.show({ event_id: 'evt_42', config: 'backup' });
    expect(window.webContents.url).toBe('qcc://app/index.html#event=evt_42');
    expect(FakeBrowserWindow.instances).toHaveLength(1);
    // The same event again: the fragment is cleared first so the page sees a change.
    const loads: string[] = [];
    window.webContents.on('load', (url: string) => loads.push(url));
    main.show({ event_id: 'evt_42', config: 'backup' });
    expect(loads).toEqual(['qcc://app/index.html', 'qcc://app/index.html#event=evt_42']);
  });

  it('is destroyed on close (the app stays in the tray) and comes back on the next show', () => {
    const { main, window } = openWindow();
    window.close();
    expect(window.isDestroyed()).toBe(true);
    expect(main.current).toBeNull();
    main.show({ event_id: 'evt_1', config: null });
    expect(FakeBrowserWindow.instances).toHaveLength(2);
    expect(FakeBrowserWindow.instances[1]!.webContents.url).toBe('qcc://app/index.html#event=evt_1');
  });

  it('blocks navigation away from the app and webviews', () => {
    const { window } = openWindow();
    expect(emitPreventable(window, 'will-navigate', 'https://evil.example/')).toBe(true);
    expect(emitPreventable(window, 'will-navigate', 'qcc://other/index.html')).toBe(true);
    expect(emitPreventable(window, 'will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(emitPreventable(window, 'will-navigate', 'qcc://app/index.html#event=e1')).toBe(false);
    expect(emitPreventable(window, 'will-attach-webview')).toBe(true);
  });

  it('opens no new windows: web links go to the browser, anything else is dropped', () => {
    const { window } = openWindow();
    const handler = window.webContents.windowOpenHandler!;
    expect(handler({ url: 'https://docs.anthropic.com/' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(shell.opened).toEqual(['https://docs.anthropic.com/']);
  });

  it('grants the page no permissions but writing to the clipboard', () => {
    const { window } = openWindow();
    const ask = (permission: string) => {
      let granted: boolean | null = null;
      window.webContents.session.permissionHandler!(window.webContents, permission, (answer) => (granted = answer));
      return granted;
    };
    expect(['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read'].map(ask)).toEqual([false, false, false, false, false]);
    expect(ask('clipboard-sanitized-write')).toBe(true);
  });

  it('trusts the dev server origin in development', () => {
    const { window } = openWindow('http://127.0.0.1:5173/');
    expect(emitPreventable(window, 'will-navigate', 'http://127.0.0.1:5173/?x')).toBe(false);
    expect(emitPreventable(window, 'will-navigate', 'http://127.0.0.1:5174/')).toBe(true);
  });
});

describe('helpers', () => {
  it('builds dashboard URLs with an encoded event fragment', () => {
    expect(dashboardUrl(ENTRY, null)).toBe(ENTRY);
    expect(dashboardUrl(`${ENTRY}#event=old`, { event_id: 'a b', config: null })).toBe('qcc://app/index.html#event=a%20b');
    expect(dashboardUrl(ENTRY, { event_id: null, config: 'x' })).toBe(ENTRY);
  });

  it('treats only http(s) as external links', () => {
    expect(isExternalLink('https://x.example')).toBe(true);
    expect(isExternalLink('mailto:a@b')).toBe(false);
    expect(isExternalLink('qcc://app/')).toBe(false);
  });

  it('gives custom schemes a real origin (Node calls them all "null")', () => {
    expect(originOf('qcc://app/index.html')).toBe('qcc://app');
    expect(originOf('qcc://evil/x')).toBe('qcc://evil');
    expect(originOf('file:///etc/passwd')).toBeNull();
  });
});
