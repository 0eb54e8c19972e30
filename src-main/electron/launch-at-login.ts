// "Start QCC at login": Electron's login items on macOS and Windows, an XDG
// autostart entry on Linux (Electron has no login items there).
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { app } from 'electron';

/** Whether QCC starts at login, and the switch for it. */
export interface LoginItem {
  isEnabled(): Promise<boolean>;
  setEnabled(enabled: boolean): Promise<void>;
}

export interface LoginItemContext {
  platform: NodeJS.Platform;
  /** An unpackaged run (npm start) would register the bare Electron binary, which cannot start QCC. */
  isPackaged: boolean;
  env: NodeJS.ProcessEnv;
  execPath: string;
  home?: string;
}

/** The login item for this platform, or null where QCC cannot start itself at login. */
export function loginItemFor(context: LoginItemContext): LoginItem | null {
  if (!context.isPackaged) return null;
  if (context.platform === 'darwin' || context.platform === 'win32') return new ElectronLoginItem();
  if (context.platform === 'linux') {
    // An AppImage runs from a temporary mount; the file the user launched is $APPIMAGE.
    const exec = context.env.APPIMAGE ?? context.execPath;
    return new XdgAutostartEntry(autostartFile(context.env, context.home ?? homedir()), exec);
  }
  return null;
}

class ElectronLoginItem implements LoginItem {
  isEnabled(): Promise<boolean> {
    return Promise.resolve(app.getLoginItemSettings().openAtLogin);
  }
  setEnabled(enabled: boolean): Promise<void> {
    app.setLoginItemSettings({ openAtLogin: enabled });
    return Promise.resolve();
  }
}

/** `$XDG_CONFIG_HOME/autostart/qcc.desktop` (default `~/.config`). */
export function autostartFile(env: NodeJS.ProcessEnv, home: string): string {
  const configHome = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(configHome, 'autostart', 'qcc.desktop');
}

/** The desktop entry that starts `exec` hidden in the tray at login. */
export function autostartDesktopEntry(exec: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=QCC',
    'Comment=Failover companion for Claude Code',
    `Exec=${quoteExec(exec)}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

// The Exec key's quoting rules (Desktop Entry Specification): quote the path, escape ", `, $ and \.
function quoteExec(path: string): string {
  return `"${path.replace(/(["`$\\])/g, '\\$1')}"`;
}

/** An XDG autostart entry that is ours only if it runs QCC; a user's own edits are left alone when off. */
export class XdgAutostartEntry implements LoginItem {
  constructor(
    readonly file: string,
    private readonly exec: string,
  ) {}

  async isEnabled(): Promise<boolean> {
    try {
      const text = await readFile(this.file, 'utf8');
      return !/^Hidden\s*=\s*true\s*$/m.test(text) && !/^X-GNOME-Autostart-enabled\s*=\s*false\s*$/m.test(text);
    } catch {
      return false;
    }
  }

  async setEnabled(enabled: boolean): Promise<void> {
    if (enabled) {
      await mkdir(dirname(this.file), { recursive: true });
      await writeFile(this.file, autostartDesktopEntry(this.exec), { mode: 0o644 });
    } else {
      await rm(this.file, { force: true });
    }
  }
}
