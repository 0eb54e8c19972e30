// The dashboard window comes back where the user left it: size, position and
// maximized, kept in Electron's userData folder (it is about this machine's
// screens, not QCC's settings). Positions on a display that is gone are dropped.
import Store from 'electron-store';
import type { Rectangle } from 'electron';

export interface WindowState {
  /** Absent: let the system place the window. */
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1100, height: 760, maximized: false };
export const MIN_WINDOW_SIZE = { width: 720, height: 480 };

/** How much of the window's top edge must lie on a display for the saved position to be kept (px). */
const VISIBLE_GRIP = { width: 100, height: 40 };

/**
 * The state to open with, from whatever was saved (possibly nothing, an old
 * format or a hand edit) and the displays' work areas now.
 */
export function restoreWindowState(saved: unknown, workAreas: readonly Rectangle[]): WindowState {
  if (typeof saved !== 'object' || saved === null) return { ...DEFAULT_WINDOW_STATE };
  const { x, y, width, height, maximized } = saved as Record<string, unknown>;
  const state: WindowState = {
    width: isWhole(width) ? Math.max(width, MIN_WINDOW_SIZE.width) : DEFAULT_WINDOW_STATE.width,
    height: isWhole(height) ? Math.max(height, MIN_WINDOW_SIZE.height) : DEFAULT_WINDOW_STATE.height,
    maximized: maximized === true,
  };
  if (isWhole(x) && isWhole(y) && workAreas.some((area) => titleBarVisible({ x, y, width: state.width }, area))) {
    state.x = x;
    state.y = y;
  }
  return state;
}

function isWhole(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

// The top strip is what the user grabs to move a window: it must be reachable.
function titleBarVisible(window: { x: number; y: number; width: number }, area: Rectangle): boolean {
  const overlapX = Math.min(window.x + window.width, area.x + area.width) - Math.max(window.x, area.x);
  const topInside = window.y >= area.y && window.y + VISIBLE_GRIP.height <= area.y + area.height;
  return overlapX >= VISIBLE_GRIP.width && topInside;
}

/** Where the window state is kept: `window-state.json` in `dir` (the app's userData). */
export class WindowStateStore {
  private readonly store: Store<{ window?: unknown }>;

  constructor(dir: string) {
    this.store = new Store<{ window?: unknown }>({ cwd: dir, name: 'window-state', watch: false, clearInvalidConfig: true });
  }

  load(): unknown {
    return this.store.get('window');
  }

  save(state: WindowState): void {
    this.store.set('window', state);
  }
}
