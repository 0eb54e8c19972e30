import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Config } from '../../src-shared/model/config.js';
import type { Settings } from '../../src-shared/model/settings.js';

// electron-store reads `app` and `ipcMain` from Electron's default export only
// to find a default directory and serve renderers; the writer passes `cwd`.
vi.mock('electron', () => ({ default: { app: undefined, ipcMain: undefined, shell: {} } }));

const { ElectronStoreSettingsWriter } = await import('./electron-store-settings-writer.js');
const { JsonSettingsRepository, serializeSettings } = await import('../engine/node/json-settings-repository.js');
const { SafeStorageSecretCodec } = await import('./safe-storage-codec.js');
const { FakeSafeStorage } = await import('./testing/fake-safe-storage.js');

const SECRET = 'sk-ant-api03-desktop-secret-7777';
const clock = { now: () => Date.UTC(2024, 4, 1, 12, 30, 45, 678) };

function withConfig(settings: Settings, name: string): Settings {
  const config: Config = {
    name,
    description: '',
    endpoints: [{ id: 'ep-1', base_url: 'https://api.anthropic.com', api_key: SECRET, auth_style: 'x-api-key', enabled: true }],
    message_probe: null,
  };
  return { ...settings, configs: [...settings.configs, config], tiers: { ...settings.tiers, primary: [...settings.tiers.primary, name] } };
}

describe('ElectronStoreSettingsWriter', () => {
  let dir: string;
  let settingsFile: string;
  const desktopRepo = () =>
    new JsonSettingsRepository({
      dir,
      clock,
      secrets: new SafeStorageSecretCodec(new FakeSafeStorage(), { platform: 'darwin' }),
      writer: new ElectronStoreSettingsWriter(dir),
    });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qcc-estore-'));
    settingsFile = join(dir, 'settings.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes settings.json and its .bak, owner-only, as the repository’s own format, readable by every QCC process', async () => {
    const repo = desktopRepo();
    await repo.update((current) => withConfig(current, 'one'));
    const written = await repo.update((current) => withConfig(current, 'two'));

    for (const file of [settingsFile, `${settingsFile}.bak`]) {
      if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
      const text = await readFile(file, 'utf8');
      expect(text).not.toContain(SECRET);
      // Same bytes the default writer would produce: no conf-specific keys or tabs.
      expect(text).toBe(serializeSettings(JSON.parse(text) as Settings));
    }
    // Another process (the daemon's default writer) reads it back, keys still sealed for it.
    const plain = await new JsonSettingsRepository({ dir, clock }).load();
    expect(plain.settings.configs.map((c) => c.name)).toEqual(['one', 'two']);
    // And the desktop app itself, with its keys.
    expect(await desktopRepo().load()).toEqual({ settings: written, problems: [] });
  });

  it('leaves a corrupt settings.json to the repository, which moves it aside instead of losing it', async () => {
    await writeFile(settingsFile, '{ "schema_version": 2, broken', { mode: 0o600 });
    const repo = desktopRepo();
    const written = await repo.update((current) => withConfig(current, 'one'));
    expect(written.configs.map((c) => c.name)).toEqual(['one']);
    const aside = (await readdir(dir)).filter((name) => name.startsWith('settings.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(await readFile(join(dir, aside[0]!), 'utf8')).toBe('{ "schema_version": 2, broken');
    expect((await repo.load()).settings.configs.map((c) => c.name)).toEqual(['one']);
  });

  it('refuses to write anywhere but the data directory', async () => {
    const writer = new ElectronStoreSettingsWriter(dir);
    const doc = withConfig((await desktopRepo().load()).settings, 'one');
    await expect(writer.write(join(tmpdir(), 'settings.json'), doc)).rejects.toThrow(/outside/);
  });
});
