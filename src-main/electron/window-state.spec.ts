import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('./testing/fake-electron.js')).fakeElectronModule);

const { DEFAULT_WINDOW_STATE, WindowStateStore, restoreWindowState } = await import('./window-state.js');
const { MainWindow } = await import('./main-window.js');
const { FakeBrowserWindow, resetFakeShell } = await import('./testing/fake-shell.js');

const SCREEN = [{ x: 0, y: 0, width: 1920, height: 1080 }];
const TWO_SCREENS = [...SCREEN, { x: 1920, y: 0, width: 2560, height: 1440 }];

describe('restoreWindowState', () => {
  it('opens at the default size when nothing (or nonsense) was saved', () => {
    for (const saved of [undefined, null, 'big', 42, { width: 'wide' }]) {
      expect(restoreWindowState(saved, SCREEN)).toMatchObject({ width: DEFAULT_WINDOW_STATE.width, height: DEFAULT_WINDOW_STATE.height, maximized: false });
    }
    expect(restoreWindowState(undefined, SCREEN)).not.toHaveProperty('x');
  });

  it('keeps a position whose title bar is on a display, and drops one that is not', () => {
    expect(restoreWindowState({ x: 2000, y: 50, width: 1200, height: 800, maximized: true }, TWO_SCREENS)).toEqual({ x: 2000, y: 50, width: 1200, height: 800, maximized: true });
    // The second display was unplugged: the system places the window instead.
    expect(restoreWindowState({ x: 2000, y: 50, width: 1200, height: 800, maximized: false }, SCREEN)).toEqual({ width: 1200, height: 800, maximized: false });
    // Title bar above the top edge.
    expect(restoreWindowState({ x: 10, y: -30, width: 1200, height: 800, maximized: false }, SCREEN)).not.toHaveProperty('y');
    // Only a sliver on screen at the right edge.
    expect(restoreWindowState({ x: 1880, y: 10, width: 1200, height: 800, maximized: false }, SCREEN)).not.toHaveProperty('x');
  });

  it('never restores a window smaller than the minimum', () => {
    expect(restoreWindowState({ x: 0, y: 0, width: 10, height: 10, maximized: false }, SCREEN)).toMatchObject({ width: 720, height: 480 });
  });
});

describe('window state across windows', () => {
  let dir: string;

  beforeEach(async () => {
    resetFakeShell();
    dir = await mkdtemp(join(tmpdir(), 'qcc-window-state-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('saves size, position and maximized on close, and the next window opens there', async () => {
    const store = new WindowStateStore(dir);
    const main = new MainWindow({
      entryUrl: 'qcc://app/index.html',
      preloadPath: '/p.cjs',
      onCreated: () => undefined,
      windowState: { load: () => restoreWindowState(store.load(), SCREEN), save: (state) => store.save(state) },
    });
    main.show();
    const first = FakeBrowserWindow.instances[0]!;
    expect(first.options).toMatchObject({ width: 1100, height: 760 });
    first.bounds = { x: 300, y: 200, width: 1300, height: 900 };
    first.maximize();
    first.close();

    expect(JSON.parse(await readFile(join(dir, 'window-state.json'), 'utf8'))).toEqual({ window: { x: 300, y: 200, width: 1300, height: 900, maximized: true } });
    main.show();
    const second = FakeBrowserWindow.instances[1]!;
    expect(second.options).toMatchObject({ x: 300, y: 200, width: 1300, height: 900 });
    expect(second.isMaximized()).toBe(true);
  });
});
