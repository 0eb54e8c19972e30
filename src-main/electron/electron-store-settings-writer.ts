// The desktop app writes settings through electron-store (conf underneath:
// atomic write, fsync, exact file mode). Reading, validation, repair and
// migrations stay with JsonSettingsRepository, which the daemon and the CLI
// share, so the file means the same thing to every QCC process.
import { basename, dirname, resolve } from 'node:path';
import Store from 'electron-store';
import type { Settings } from '../../src-shared/model/settings.js';
import { serializeSettings, type SettingsDocumentWriter } from '../engine/node/json-settings-repository.js';

/**
 * A SettingsDocumentWriter backed by electron-store, for settings.json and its
 * .bak in the data directory. Writes the same text as the default writer, mode 0600.
 */
export class ElectronStoreSettingsWriter implements SettingsDocumentWriter {
  private readonly dataDir: string;
  private readonly stores = new Map<string, Store<Settings>>();

  constructor(dataDir: string) {
    this.dataDir = resolve(dataDir);
  }

  async write(file: string, doc: Settings): Promise<void> {
    this.storeFor(file).store = doc;
  }

  private storeFor(file: string): Store<Settings> {
    const path = resolve(file);
    // Keys are written here: never anywhere but the data directory.
    if (dirname(path) !== this.dataDir) throw new Error(`refusing to write settings outside ${this.dataDir}: ${path}`);
    let store = this.stores.get(path);
    if (!store) {
      store = new Store<Settings>({
        cwd: this.dataDir,
        // The whole file name: the same writer serves settings.json and settings.json.bak.
        name: basename(path),
        fileExtension: '',
        configFileMode: 0o600,
        // The repository reads under its own lock; the engine learns of changes through it.
        watch: false,
        accessPropertiesByDotNotation: false,
        // Never let conf discard a file it cannot parse: the repository moves it aside and says so.
        clearInvalidConfig: false,
        serialize: serializeSettings,
        // conf parses the file when constructed and before each write, only to carry over its own
        // internal keys (settings have none). The repository has already read and validated it
        // under its lock, and a corrupt file is its to move aside, never conf's to trip over.
        deserialize: () => ({}) as Settings,
      });
      this.stores.set(path, store);
    }
    return store;
  }
}
