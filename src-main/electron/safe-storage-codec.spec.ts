import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keyUnavailable, type Config } from '../../src-shared/model/config.js';
import type { Settings } from '../../src-shared/model/settings.js';
import { JsonSettingsRepository } from '../engine/node/json-settings-repository.js';
import { SEALED_PREFIX, SecretCodecError, isSealed } from '../engine/node/secret-codec.js';
import { thrown } from '../engine/node/testing/thrown.js';
import { SafeStorageSecretCodec, describeSecretProtection } from './safe-storage-codec.js';
import { FakeSafeStorage } from './testing/fake-safe-storage.js';

const SECRET = 'sk-ant-api03-safe-storage-secret-1234';
const FILE = '/home/ada/.qcc/settings.json';

describe('SafeStorageSecretCodec', () => {
  it('seals with the OS keychain and unseals back, the stored form holding no plaintext', () => {
    const storage = new FakeSafeStorage();
    const codec = new SafeStorageSecretCodec(storage, { platform: 'darwin' });
    expect(codec.protection).toBe('os-encryption');
    const sealed = codec.seal(SECRET);
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain(SECRET);
    expect(Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64').toString('latin1')).not.toContain('secret');
    expect(codec.unseal(sealed)).toBe(SECRET);
  });

  it('passes plaintext keys (from the CLI) through unseal', () => {
    expect(new SafeStorageSecretCodec(new FakeSafeStorage()).unseal(SECRET)).toBe(SECRET);
  });

  it('reports Linux’s basic_text backend as obfuscation, and only on Linux', () => {
    const storage = new FakeSafeStorage({ backend: 'basic_text' });
    expect(new SafeStorageSecretCodec(storage, { platform: 'linux' }).protection).toBe('obfuscated');
    expect(new SafeStorageSecretCodec(new FakeSafeStorage({ backend: 'kwallet5' }), { platform: 'linux' }).protection).toBe('os-encryption');
    // getSelectedStorageBackend is Linux-only; elsewhere it is not consulted.
    expect(new SafeStorageSecretCodec(storage, { platform: 'win32' }).protection).toBe('os-encryption');
  });

  it('stores keys as typed when encryption is unavailable, and cannot open sealed ones then', () => {
    const storage = new FakeSafeStorage();
    const sealed = new SafeStorageSecretCodec(storage).seal(SECRET);
    storage.available = false;
    const codec = new SafeStorageSecretCodec(storage);
    expect(codec.protection).toBe('none');
    expect(codec.seal(SECRET)).toBe(SECRET);
    const error = thrown(() => codec.unseal(sealed));
    expect(error).toBeInstanceOf(SecretCodecError);
    expect(error).toMatchObject({ code: 'not_decryptable' });
  });

  it('fails to unseal under another keychain with a typed error holding neither the blob nor Electron’s text', () => {
    const storage = new FakeSafeStorage({ keychain: 'old-machine' });
    const sealed = new SafeStorageSecretCodec(storage).seal(SECRET);
    storage.keychain = 'new-machine';
    const error = thrown(() => new SafeStorageSecretCodec(storage).unseal(sealed));
    expect(error).toBeInstanceOf(SecretCodecError);
    expect(error).toMatchObject({ code: 'not_decryptable' });
    expect((error as Error).message).toContain('keychain');
    expect((error as Error).message).not.toContain(sealed.slice(SEALED_PREFIX.length, SEALED_PREFIX.length + 12));
    expect((error as Error).message).not.toContain('safeStorage.decryptString');
  });

  it('turns an encryption failure into a typed error that does not echo the key', () => {
    class LeakyStorage extends FakeSafeStorage {
      override encryptString(plainText: string): Buffer {
        throw new Error(`cannot encrypt ${plainText}`);
      }
    }
    const error = thrown(() => new SafeStorageSecretCodec(new LeakyStorage()).seal(SECRET));
    expect(error).toBeInstanceOf(SecretCodecError);
    expect(error).toMatchObject({ code: 'encrypt_failed' });
    expect((error as Error).message).not.toContain(SECRET);
  });
});

describe('describeSecretProtection', () => {
  it('has no warning when the OS keychain encrypts', () => {
    expect(describeSecretProtection({ safeStorage: new FakeSafeStorage(), platform: 'darwin', settingsFile: FILE })).toEqual({
      protection: 'os-encryption',
      warning: null,
    });
  });

  it('warns that keys are unencrypted, where, and how they are protected, when safeStorage is unavailable', () => {
    const report = describeSecretProtection({ safeStorage: new FakeSafeStorage({ available: false }), platform: 'darwin', settingsFile: FILE });
    expect(report.protection).toBe('none');
    expect(report.warning).toBe(`No OS keychain is available: API keys are stored unencrypted in ${FILE}, readable only by your user (mode 0600).`);
  });

  it('warns that keys are only obfuscated with Linux’s basic_text backend, and says how to fix it', () => {
    const report = describeSecretProtection({ safeStorage: new FakeSafeStorage({ backend: 'basic_text' }), platform: 'linux', settingsFile: FILE });
    expect(report.protection).toBe('obfuscated');
    expect(report.warning).toContain(`API keys in ${FILE} are only obfuscated, not encrypted`);
    expect(report.warning).toContain('anyone who can read the file can recover them');
    expect(report.warning).toContain('mode 0600');
    expect(report.warning).toContain('GNOME Keyring or KWallet');
  });

  it('does not claim a Unix file mode on Windows', () => {
    const report = describeSecretProtection({ safeStorage: new FakeSafeStorage({ available: false }), platform: 'win32', settingsFile: 'C:\\Users\\ada\\.qcc\\settings.json' });
    expect(report.warning).toContain("protected only by the file's permissions");
    expect(report.warning).not.toContain('0600');
  });
});

describe('settings sealed with safeStorage, over real files', () => {
  let dir: string;
  const clock = { now: () => Date.UTC(2024, 4, 1) };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qcc-safe-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function withConfig(settings: Settings, name: string): Settings {
    const config: Config = {
      name,
      description: '',
      endpoints: [{ id: 'ep-1', base_url: 'https://api.anthropic.com', api_key: SECRET, auth_style: 'bearer', enabled: true }],
      message_probe: null,
    };
    return { ...settings, configs: [...settings.configs, config], tiers: { ...settings.tiers, primary: [...settings.tiers.primary, name] } };
  }

  it('round-trips through the desktop app; the daemon sees the key as unavailable, with a problem naming it', async () => {
    const storage = new FakeSafeStorage();
    const desktop = new JsonSettingsRepository({ dir, clock, secrets: new SafeStorageSecretCodec(storage, { platform: 'linux' }) });
    await desktop.update((current) => withConfig(current, 'work'));
    await desktop.update((current) => ({ ...current, pinned: true }));
    for (const name of ['settings.json', 'settings.json.bak']) expect(await readFile(join(dir, name), 'utf8')).not.toContain(SECRET);

    const reopened = new JsonSettingsRepository({ dir, clock, secrets: new SafeStorageSecretCodec(storage, { platform: 'linux' }) });
    expect((await reopened.load()).settings.configs[0]!.endpoints[0]).toMatchObject({ api_key: SECRET, enabled: true });

    const daemon = await new JsonSettingsRepository({ dir, clock }).load();
    expect(keyUnavailable(daemon.settings.configs[0]!.endpoints[0]!)).toBe(true);
    expect(daemon.problems).toHaveLength(1);
    expect(daemon.problems[0]).toContain('config "work", endpoint ep-1');
    expect(daemon.problems[0]).not.toContain(SECRET);
  });
});
