// Renders the tray model (tray-model.ts) with Electron's Tray and Menu. Every
// decision about what to show lives in the model; this only draws it.
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import { trayImageFile } from './tray-icons.js';
import type { TrayAction, TrayIcon, TrayMenuItem, TrayModel } from './tray-model.js';

export interface TrayViewOptions {
  /** The folder holding `tray/` (see tray-icons.ts). */
  assetsDir: string;
  platform: NodeJS.Platform;
  /** A menu item was clicked. */
  onAction(action: TrayAction): void;
  /** The icon itself was clicked (Windows and some Linux desktops); macOS opens the menu instead. */
  onIconClick(): void;
}

/** The tray icon, its tooltip and its menu; `render` updates only what changed. */
export class TrayView {
  private readonly tray: Tray;
  private icon: TrayIcon | null = null;
  private tooltip: string | null = null;
  private menuKey: string | null = null;

  constructor(private readonly options: TrayViewOptions) {
    this.tray = new Tray(this.image('grey'));
    this.icon = 'grey';
    if (options.platform !== 'darwin') this.tray.on('click', () => options.onIconClick());
  }

  render(model: TrayModel): void {
    if (this.tray.isDestroyed()) return;
    if (model.icon !== this.icon) {
      this.tray.setImage(this.image(model.icon));
      this.icon = model.icon;
    }
    if (model.tooltip !== this.tooltip) {
      this.tray.setToolTip(model.tooltip);
      this.tooltip = model.tooltip;
    }
    // Rebuilding an unchanged menu would close it under the user's pointer on some desktops.
    const menuKey = JSON.stringify(model.menu);
    if (menuKey !== this.menuKey) {
      this.tray.setContextMenu(Menu.buildFromTemplate(menuTemplate(model.menu, (action) => this.options.onAction(action))));
      this.menuKey = menuKey;
    }
  }

  destroy(): void {
    if (!this.tray.isDestroyed()) this.tray.destroy();
  }

  private image(state: TrayIcon): NativeImage {
    const file = trayImageFile(state, this.options.platform, this.options.assetsDir);
    const image = nativeImage.createFromPath(file.path);
    if (file.template) image.setTemplateImage(true);
    return image;
  }
}

/** Electron's menu template for the model's items; clicks call `onAction` with the item's action. */
export function menuTemplate(items: TrayMenuItem[], onAction: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((entry): MenuItemConstructorOptions => {
    switch (entry.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'submenu':
        return { id: entry.id, label: entry.label, enabled: entry.enabled, submenu: menuTemplate(entry.submenu, onAction) };
      case 'checkbox':
        return { id: entry.id, label: entry.label, type: 'checkbox', checked: entry.checked, enabled: entry.enabled, click: () => onAction(entry.action) };
      case 'item': {
        const { action } = entry;
        return {
          id: entry.id,
          label: entry.label,
          enabled: entry.enabled,
          ...(entry.checked === undefined ? {} : { type: 'radio' as const, checked: entry.checked }),
          ...(action === null ? {} : { click: () => onAction(action) }),
        };
      }
    }
  });
}
