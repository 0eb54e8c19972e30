// Which file under assets/tray/ shows a tray state on each platform. The files
// come from scripts/generate-icons.ts; the names here are its output contract.
import { join } from 'node:path';
import type { TrayIcon } from './tray-model.js';

export interface TrayImageFile {
  path: string;
  /**
   * macOS template image: monochrome, recoloured by the system for light and
   * dark menu bars, so the state reads from the glyph's shape, not its colour.
   */
  template: boolean;
}

/**
 * The image for `state` on `platform`. Electron picks the `@2x` sibling of a
 * PNG by itself on high-density displays, and the .ico carries every size
 * Windows asks for.
 */
export function trayImageFile(state: TrayIcon, platform: NodeJS.Platform, assetsDir: string): TrayImageFile {
  const dir = join(assetsDir, 'tray');
  if (platform === 'darwin') return { path: join(dir, `tray-${state}Template.png`), template: true };
  if (platform === 'win32') return { path: join(dir, `tray-${state}.ico`), template: false };
  return { path: join(dir, `tray-${state}.png`), template: false };
}
