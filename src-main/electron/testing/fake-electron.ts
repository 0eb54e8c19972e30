// The whole mocked `electron` module for tests of the composed desktop app:
// the shell fakes, an in-memory ipcMain and a switchable safeStorage.
import { FakeIpcMain } from './fake-ipc.js';
import { FakeSafeStorage } from './fake-safe-storage.js';
import { fakeShellModule, resetFakeShell } from './fake-shell.js';

export const ipcMain = new FakeIpcMain();
export const safeStorage = new FakeSafeStorage();

const members = { ...fakeShellModule.default, ipcMain, safeStorage };
/** `electron` as both named exports and a default export (electron-store imports the default). */
export const fakeElectronModule = { ...members, default: members };

/** Forget everything recorded by the shell fakes; the ipcMain must be left clean by `dispose()` itself. */
export function resetFakeElectron(): void {
  resetFakeShell();
}
