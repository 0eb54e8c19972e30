// `electron` for a bundled main process run under plain Node: the same fakes
// the unit tests use, as named and default exports.
import { fakeElectronModule } from '../../src-main/electron/testing/fake-electron.js';

export const { app, Tray, Menu, nativeImage, Notification, BrowserWindow, clipboard, shell, dialog, protocol, screen, ipcMain, safeStorage } = fakeElectronModule;
export default fakeElectronModule;
