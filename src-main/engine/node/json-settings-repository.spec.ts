import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../../src-shared/contract/errors.js';
import { endpointCanServe, keyUnavailable, type Config } from '../../../src-shared/model/config.js';
import { DEFAULT_POLICY } from '../../../src-shared/model/policy.js';
import { SETTINGS_SCHEMA_VERSION, emptySettings, type Settings } from '../../../src-shared/model/settings.js';
import { JsonSettingsRepository, serializeSettings, type SettingsDocumentWriter } from './json-settings-repository.js';
import { SecretCodecError, isSealed, unwrapSealed, wrapSealed, type SecretCodec } from './secret-codec.js';
import { V1_DOCUMENT } from './testing/settings-fixtures.js';
import { spawnTsChild } from './testing/spawn-child.js';

const SECRET = 'sk-ant-very-secret-key-0001';
/** 2024-05-01T12:30:45.678Z */
const NOW = Date.UTC(2024, 4, 1, 12, 30, 45, 678);
const STAMP = '2024-05-01T12-30-45.678Z';

function config(name: string, apiKey = SECRET): Config {
  return {
    name,
    description: `the ${name} account`,
    endpoints: [{ id: 'ep-1', base_url: 'https://api.anthropic.com', api_key: apiKey, auth_style: 'x-api-key', enabled: true }],
    message_probe: null,
  };
}

function withConfig(settings: Settings, name: string): Settings {
  return {
    ...settings,
    configs: [...settings.configs, config(name)],
    tiers: { ...settings.tiers, primary: [...settings.tiers.primary, name] },
  };
}

function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('JsonSettingsRepository', () => {
  let dir: string;
  let repo: JsonSettingsRepository;
  let settingsFile: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qcc-settings-'));
    repo = new JsonSettingsRepository({ dir, clock: { now: () => NOW } });
    settingsFile = join(dir, 'settings.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('load and update', () => {
    it('starts from empty settings when there is no file, and writes nothing', async () => {
      expect(await repo.load()).toEqual({ settings: emptySettings(), problems: [] });
      expect(await readdir(dir)).toEqual([]);
    });

    it('round-trips an update through the file, as pretty JSON with a trailing newline', async () => {
      const written = await repo.update((current) => ({ ...withConfig(current, 'work'), active_config: 'work' }));
      expect(written.configs.map((c) => c.name)).toEqual(['work']);

      const text = await readFile(settingsFile, 'utf8');
      expect(text).toBe(`${JSON.stringify(written, null, 2)}\n`);
      const fresh = new JsonSettingsRepository({ dir, clock: { now: () => NOW } });
      expect(await fresh.load()).toEqual({ settings: written, problems: [] });
    });

    it('returns the parsed document, with schema defaults filled in', async () => {
      const written = await repo.update((current) => {
        const next = withConfig(current, 'work');
        // A caller that leaves out defaulted fields still gets a complete document.
        delete (next.configs[0]!.endpoints[0] as Partial<Config['endpoints'][number]>).auth_style;
        return next;
      });
      expect(written.configs[0]!.endpoints[0]!.auth_style).toBe('x-api-key');
    });

    it.skipIf(process.platform === 'win32')('keeps settings.json and its backup owner-only (0600)', async () => {
      await repo.update((current) => withConfig(current, 'one'));
      await repo.update((current) => withConfig(current, 'two'));
      expect((await stat(settingsFile)).mode & 0o777).toBe(0o600);
      expect((await stat(join(dir, 'settings.json.bak'))).mode & 0o777).toBe(0o600);
    });

    it('keeps the previous document as settings.json.bak', async () => {
      const first = await repo.update((current) => withConfig(current, 'one'));
      await repo.update((current) => withConfig(current, 'two'));
      expect(JSON.parse(await readFile(join(dir, 'settings.json.bak'), 'utf8'))).toEqual(first);
    });

    it('applies mutate to what is on disk, not to what this instance last saw', async () => {
      const other = new JsonSettingsRepository({ dir, clock: { now: () => NOW } });
      await repo.update((current) => withConfig(current, 'one'));
      await other.update((current) => withConfig(current, 'two'));
      const final = await repo.update((current) => withConfig(current, 'three'));
      expect(final.configs.map((c) => c.name)).toEqual(['one', 'two', 'three']);
    });

    it('keeps concurrent updates from one process in call order, losing none', async () => {
      await Promise.all(Array.from({ length: 10 }, (_, i) => repo.update((current) => withConfig(current, `c-${i}`))));
      const { settings } = await repo.load();
      expect(settings.tiers.primary).toEqual(Array.from({ length: 10 }, (_, i) => `c-${i}`));
    });

    it('writes nothing when mutate throws', async () => {
      await repo.update((current) => withConfig(current, 'one'));
      const before = await readFile(settingsFile, 'utf8');
      const entries = (await readdir(dir)).sort();
      await expect(
        repo.update((current) => {
          current.configs.push(config('half-done')); // edits in place, then fails
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      expect(await readFile(settingsFile, 'utf8')).toBe(before);
      expect((await readdir(dir)).sort()).toEqual(entries);
      expect((await repo.load()).settings.configs.map((c) => c.name)).toEqual(['one']);
    });

    it('rejects an invalid result with invalid_argument naming the field, leaving the file unchanged', async () => {
      await repo.update((current) => withConfig(current, 'one'));
      const before = await readFile(settingsFile, 'utf8');
      const error = await caught(
        repo.update((current) => ({
          ...withConfig(current, 'two'),
          policy: { ...current.policy, failure_threshold: 0 },
        })),
      );
      expect(error).toBeInstanceOf(EngineError);
      expect(error).toMatchObject({ code: 'invalid_argument' });
      expect((error as Error).message).toContain('policy.failure_threshold');
      expect(await readFile(settingsFile, 'utf8')).toBe(before);
    });

    it('never puts an API key in an error message', async () => {
      const badKey = 'sk-ant-leaky secret';
      const error = await caught(
        repo.update((current) => ({
          ...current,
          configs: [config('one', badKey)],
          tiers: { ...current.tiers, primary: ['one'] },
        })),
      );
      expect((error as Error).message).toContain('configs[0].endpoints[0].api_key');
      expect((error as Error).message).not.toContain('leaky');
    });
  });

  describe('a bad settings.json', () => {
    it('moves corrupt JSON aside byte for byte, says so, and starts empty', async () => {
      const corrupt = `{\n  "schema_version": 2,\n  "configs": [{"api_key": ${SECRET}}]\n`;
      await writeFile(settingsFile, corrupt);

      const { settings, problems } = await repo.load();
      expect(settings).toEqual(emptySettings());
      const aside = join(dir, `settings.json.corrupt-${STAMP}`);
      expect(await readFile(aside, 'utf8')).toBe(corrupt);
      await expect(stat(settingsFile)).rejects.toMatchObject({ code: 'ENOENT' });

      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(settingsFile);
      expect(problems[0]).toContain('is not valid JSON (line 3');
      expect(problems[0]).toContain(aside);
      expect(problems[0]).not.toContain(SECRET);
      // Reported once: the next load finds no file and no problem.
      expect((await repo.load()).problems).toEqual([]);
    });

    it('names the invalid field of a schema-invalid file', async () => {
      const doc = { ...emptySettings(), policy: { ...DEFAULT_POLICY, failure_threshold: 0 } };
      await writeFile(settingsFile, JSON.stringify(doc));
      const { settings, problems } = await repo.load();
      expect(settings).toEqual(emptySettings());
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/settings\.json is not valid: policy\.failure_threshold: must be at least 1/);
      expect(JSON.parse(await readFile(join(dir, `settings.json.corrupt-${STAMP}`), 'utf8'))).toEqual(doc);
    });

    it('restores the last good copy from settings.json.bak', async () => {
      await repo.update((current) => withConfig(current, 'one'));
      const good = await repo.update((current) => withConfig(current, 'two')); // .bak now holds ['one']
      await writeFile(settingsFile, '{"schema_version": 2, "configs": [');

      const { settings, problems } = await repo.load();
      expect(settings.configs.map((c) => c.name)).toEqual(['one']);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(`moved to ${join(dir, `settings.json.corrupt-${STAMP}`)}`);
      expect(problems[0]).toContain('Restored the last good copy from');
      // Restored on disk too, not only in memory.
      expect(JSON.parse(await readFile(settingsFile, 'utf8'))).toEqual(settings);
      expect(good.configs).toHaveLength(2);
    });

    it('starts empty, saying why, when the backup is bad too', async () => {
      await writeFile(settingsFile, 'nonsense');
      await writeFile(join(dir, 'settings.json.bak'), JSON.stringify({ ...emptySettings(), pinned: 'yes' }));
      const { settings, problems } = await repo.load();
      expect(settings).toEqual(emptySettings());
      expect(problems[0]).toContain('settings.json.bak is not valid: pinned');
      expect(problems[0]).toContain('Starting with empty settings');
    });

    it('never overwrites an earlier corrupt copy', async () => {
      await writeFile(settingsFile, 'first bad');
      await repo.load();
      await writeFile(settingsFile, 'second bad');
      const { problems } = await repo.load();
      expect(await readFile(join(dir, `settings.json.corrupt-${STAMP}`), 'utf8')).toBe('first bad');
      expect(await readFile(join(dir, `settings.json.corrupt-${STAMP}-2`), 'utf8')).toBe('second bad');
      expect(problems[0]).toContain(`corrupt-${STAMP}-2`);
    });

    it('found by update: moved aside, the update goes on from the backup, and the next load reports it', async () => {
      await repo.update((current) => withConfig(current, 'one'));
      await repo.update((current) => withConfig(current, 'two'));
      await writeFile(settingsFile, '{ broken');

      const written = await repo.update((current) => withConfig(current, 'three'));
      expect(written.configs.map((c) => c.name)).toEqual(['one', 'three']);
      expect(await readFile(join(dir, `settings.json.corrupt-${STAMP}`), 'utf8')).toBe('{ broken');
      expect(repo.problems).toHaveLength(1);

      const { settings, problems } = await repo.load();
      expect(settings).toEqual(written);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain('is not valid JSON');
      expect(repo.problems).toEqual([]);
    });
  });

  describe('schema versions', () => {
    it('migrates a v1 file on load, keeping the original as settings.json.v1-backup', async () => {
      const original = `${JSON.stringify(V1_DOCUMENT, null, 2)}\n`;
      await writeFile(settingsFile, original);

      const { settings, problems } = await repo.load();
      expect(problems).toEqual([]);
      expect(settings.schema_version).toBe(SETTINGS_SCHEMA_VERSION);
      expect(settings.tiers.primary).toEqual(['work', 'personal']);
      expect(settings.active_config).toBe('personal');
      expect(await readFile(join(dir, 'settings.json.v1-backup'), 'utf8')).toBe(original);
      expect(JSON.parse(await readFile(settingsFile, 'utf8'))).toEqual(settings);
    });

    it('migrates a v1 file on update, then writes v2', async () => {
      const original = JSON.stringify(V1_DOCUMENT);
      await writeFile(settingsFile, original);

      const written = await repo.update((current) => ({ ...current, pinned: true }));
      expect(written.pinned).toBe(true);
      expect(written.configs.map((c) => c.name)).toEqual(['work', 'spare', 'personal', 'old']);
      const onDisk = JSON.parse(await readFile(settingsFile, 'utf8')) as Settings;
      expect(onDisk.schema_version).toBe(2);
      expect(onDisk.configs[0]!.endpoints[0]).toMatchObject({ base_url: 'https://api.anthropic.com', auth_style: 'bearer' });
      expect(await readFile(join(dir, 'settings.json.v1-backup'), 'utf8')).toBe(original);
      expect((await repo.load()).problems).toEqual([]);
    });

    it('treats a malformed v1 file as corrupt, naming the v1 field', async () => {
      await writeFile(settingsFile, JSON.stringify({ configs: [{ name: 'x', priority: 'top', endpoints: [] }] }));
      const { problems } = await repo.load();
      expect(problems[0]).toContain('settings.json (schema 1) is not valid: configs[0].priority');
      expect(await readdir(dir)).toContain(`settings.json.corrupt-${STAMP}`);
    });

    it('leaves a file from a newer QCC untouched and refuses to update it', async () => {
      const newer = JSON.stringify({ schema_version: SETTINGS_SCHEMA_VERSION + 1, configs: [], something_new: true });
      await writeFile(settingsFile, newer);

      const { settings, problems } = await repo.load();
      expect(settings).toEqual(emptySettings());
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(`written by a newer QCC (schema ${SETTINGS_SCHEMA_VERSION + 1})`);

      const error = await caught(repo.update((current) => withConfig(current, 'one')));
      expect(error).toBeInstanceOf(EngineError);
      expect(error).toMatchObject({ code: 'failed_precondition' });
      expect((error as Error).message).toMatch(/settings\.json was written by a newer QCC \(schema 3\)/);

      expect(await readFile(settingsFile, 'utf8')).toBe(newer);
      expect((await readdir(dir)).filter((name) => name.startsWith('settings.json'))).toEqual(['settings.json']);
    });
  });

  describe('two processes', () => {
    it('lose none of each other’s updates', async () => {
      const count = 40;
      const a = spawnTsChild('settings-writer-child.ts', [dir, 'add', 'a', String(count), 'flip-policy']);
      const b = spawnTsChild('settings-writer-child.ts', [dir, 'add', 'b', String(count)]);
      expect(await a.next()).toEqual({ ready: true });
      expect(await b.next()).toEqual({ ready: true });
      // Both start at once so their read-modify-write cycles interleave.
      a.process.stdin?.write('go\n');
      b.process.stdin?.write('go\n');
      const [doneA, doneB] = (await Promise.all([a.next(), b.next()])) as { started: number; finished: number }[];
      await Promise.all([a.exited, b.exited]);

      // The runs overlapped in time; without settings.lock each process would
      // read-modify-write over the other's latest document and lose its configs.
      expect(Math.max(doneA!.started, doneB!.started)).toBeLessThan(Math.min(doneA!.finished, doneB!.finished));

      const { settings, problems } = await repo.load();
      expect(problems).toEqual([]);
      const names = settings.configs.map((c) => c.name);
      expect(names).toHaveLength(2 * count);
      for (const prefix of ['a', 'b']) {
        // Each writer's configs appear in its own order.
        expect(names.filter((name) => name.startsWith(`${prefix}-`))).toEqual(Array.from({ length: count }, (_, i) => `${prefix}-${i}`));
      }
      expect(settings.tiers.primary).toEqual(names);
      expect(settings.policy.failure_threshold).toBe(7);
      await expect(stat(join(dir, 'settings.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
    });
  });
});

/**
 * A sealing codec for plain Node, standing in for the desktop app's
 * safeStorage: reversible, bound to a keychain name, counting its calls.
 */
class TestKeychainCodec implements SecretCodec {
  readonly protection = 'os-encryption' as const;
  seals = 0;
  failSeal = false;

  constructor(private readonly keychain = 'keychain-a') {}

  seal(plain: string): string {
    this.seals++;
    if (this.failSeal) throw new Error(`keychain locked while sealing ${plain}`);
    return wrapSealed(Buffer.from(`${this.keychain}|${plain}`, 'utf8').map((byte) => byte ^ 0x5a));
  }

  unseal(stored: string): string {
    if (!isSealed(stored)) return stored;
    const text = Buffer.from(unwrapSealed(stored).map((byte) => byte ^ 0x5a)).toString('utf8');
    const [keychain, plain] = text.split('|');
    if (keychain !== this.keychain || plain === undefined) throw new SecretCodecError('not_decryptable', 'could not be decrypted with this keychain');
    return plain;
  }
}

/** The stored form of every endpoint key in a settings file, in document order. */
async function storedKeys(file: string): Promise<string[]> {
  const doc = JSON.parse(await readFile(file, 'utf8')) as Settings;
  return doc.configs.flatMap((c) => c.endpoints.map((e) => e.api_key));
}

describe('JsonSettingsRepository: API keys at rest', () => {
  let dir: string;
  let settingsFile: string;
  let backupFile: string;
  let codec: TestKeychainCodec;
  const clock = { now: () => NOW };
  const desktop = (secrets: SecretCodec = codec) => new JsonSettingsRepository({ dir, clock, secrets });
  const cli = () => new JsonSettingsRepository({ dir, clock });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qcc-secrets-'));
    settingsFile = join(dir, 'settings.json');
    backupFile = join(dir, 'settings.json.bak');
    codec = new TestKeychainCodec();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('seals keys on write and unseals them on read, so no file holds the plaintext key (nor the .bak)', async () => {
    const repo = desktop();
    const written = await repo.update((current) => withConfig(current, 'one'));
    await repo.update((current) => withConfig(current, 'two'));
    expect(written.configs[0]!.endpoints[0]!.api_key).toBe(SECRET);

    for (const file of [settingsFile, backupFile]) {
      const text = await readFile(file, 'utf8');
      expect(text).not.toContain(SECRET);
      expect((await storedKeys(file)).every(isSealed)).toBe(true);
    }
    const { settings, problems } = await desktop(new TestKeychainCodec()).load();
    expect(problems).toEqual([]);
    expect(settings.configs.map((c) => c.endpoints[0]!.api_key)).toEqual([SECRET, SECRET]);
    expect(settings.configs.every((c) => c.endpoints[0]!.enabled)).toBe(true);
  });

  it('keeps an unchanged key’s sealed bytes across writes, without calling the keychain again', async () => {
    await desktop().update((current) => withConfig(current, 'one'));
    const [sealed] = await storedKeys(settingsFile);
    // A fresh instance, like the next start of the app.
    const restarted = new TestKeychainCodec();
    await desktop(restarted).update((current) => ({ ...current, pinned: !current.pinned }));
    expect(await storedKeys(settingsFile)).toEqual([sealed]);
    expect(await storedKeys(backupFile)).toEqual([sealed]);
    expect(restarted.seals).toBe(0);
  });

  it('accepts plaintext keys written by the CLI, and seals them on the next write', async () => {
    await cli().update((current) => withConfig(current, 'one'));
    expect(await storedKeys(settingsFile)).toEqual([SECRET]);

    const repo = desktop();
    expect((await repo.load()).settings.configs[0]!.endpoints[0]!.api_key).toBe(SECRET);
    await repo.update((current) => ({ ...current, pinned: true }));
    expect(await readFile(settingsFile, 'utf8')).not.toContain(SECRET);
    expect(await readFile(backupFile, 'utf8')).not.toContain(SECRET);
  });

  it('sealPlaintextKeys seals plaintext keys in settings.json and its .bak at once', async () => {
    await cli().update((current) => withConfig(current, 'one'));
    await cli().update((current) => withConfig(current, 'two'));
    expect(await readFile(backupFile, 'utf8')).toContain(SECRET);

    const repo = desktop();
    expect(await repo.sealPlaintextKeys()).toBe(3); // two in settings.json, one in the .bak
    for (const file of [settingsFile, backupFile]) expect(await readFile(file, 'utf8')).not.toContain(SECRET);
    expect((await repo.load()).settings.configs.map((c) => c.endpoints[0]!.api_key)).toEqual([SECRET, SECRET]);
    // Nothing left to do.
    expect(await repo.sealPlaintextKeys()).toBe(0);
  });

  it('sealPlaintextKeys does nothing with a codec that does not seal', async () => {
    await cli().update((current) => withConfig(current, 'one'));
    const before = await readFile(settingsFile, 'utf8');
    expect(await cli().sealPlaintextKeys()).toBe(0);
    expect(await readFile(settingsFile, 'utf8')).toBe(before);
  });

  it('sealPlaintextKeys reports a keychain failure as a problem, without the key, and changes nothing', async () => {
    await cli().update((current) => withConfig(current, 'one'));
    const before = await readFile(settingsFile, 'utf8');
    codec.failSeal = true;
    const repo = desktop();
    expect(await repo.sealPlaintextKeys()).toBe(0);
    expect(await readFile(settingsFile, 'utf8')).toBe(before);
    const { problems } = await repo.load();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('could not be encrypted');
    expect(problems[0]).toContain('config "one", endpoint ep-1');
    expect(problems[0]).not.toContain(SECRET);
  });

  it('refuses an update whose key cannot be sealed, leaving both files unchanged and the key out of the error', async () => {
    const repo = desktop();
    await repo.update((current) => withConfig(current, 'one'));
    await repo.update((current) => ({ ...current, pinned: true }));
    const before = [await readFile(settingsFile, 'utf8'), await readFile(backupFile, 'utf8')];
    codec.failSeal = true;
    const error = await caught(repo.update((current) => ({ ...current, configs: [config('one', 'sk-ant-brand-new-key-9999')] })));
    expect(error).toMatchObject({ code: 'storage_failed' });
    expect((error as Error).message).toContain('config "one", endpoint ep-1');
    expect((error as Error).message).not.toContain('brand-new');
    expect([await readFile(settingsFile, 'utf8'), await readFile(backupFile, 'utf8')]).toEqual(before);
  });

  describe('a key this process cannot unseal', () => {
    beforeEach(async () => {
      await desktop().update((current) => withConfig(current, 'work'));
    });

    it('loads, reports config and endpoint with what to do, and never shows the key or the sealed blob', async () => {
      const [sealed] = await storedKeys(settingsFile);
      const { settings, problems } = await cli().load();
      expect(settings.configs.map((c) => c.name)).toEqual(['work']);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain('config "work", endpoint ep-1');
      expect(problems[0]).toContain('encrypted by the QCC desktop app');
      expect(problems[0]).toContain('qcc endpoint update work ep-1 --api-key');
      expect(problems[0]).toContain('run the QCC desktop app');
      expect(problems[0]).not.toContain(SECRET);
      expect(problems[0]).not.toContain(sealed!.slice(14, 40));
    });

    it('is unusable in memory: its key is a stand-in the engine never sends, neither the secret nor the sealed blob', async () => {
      const endpoint = (await cli().load()).settings.configs[0]!.endpoints[0]!;
      expect(keyUnavailable(endpoint)).toBe(true);
      expect(endpointCanServe(endpoint)).toBe(false);
      expect(endpoint.enabled).toBe(true); // as stored: the flag stays the user's
      expect(isSealed(endpoint.api_key)).toBe(false);
      expect(endpoint.api_key).not.toBe(SECRET);
      // Stable across reads, so the engine keeps one breaker for it.
      expect((await cli().load()).settings.configs[0]!.endpoints[0]!.api_key).toBe(endpoint.api_key);
    });

    it('stays byte-identical, and enabled on disk, when the CLI updates another field', async () => {
      const [sealed] = await storedKeys(settingsFile);
      const repo = cli();
      const written = await repo.update((current) => ({ ...withConfig(current, 'extra'), policy: { ...current.policy, failure_threshold: 9 } }));
      expect(keyUnavailable(written.configs[0]!.endpoints[0]!)).toBe(true);

      const onDisk = JSON.parse(await readFile(settingsFile, 'utf8')) as Settings;
      expect(onDisk.configs[0]!.endpoints[0]).toEqual({ ...written.configs[0]!.endpoints[0], api_key: sealed, enabled: true });
      expect(onDisk.policy.failure_threshold).toBe(9);
      expect((await storedKeys(backupFile))[0]).toBe(sealed);

      // The desktop app still has its key, enabled, and the CLI's changes.
      const { settings, problems } = await desktop().load();
      expect(problems).toEqual([]);
      expect(settings.configs[0]!.endpoints[0]).toMatchObject({ api_key: SECRET, enabled: true });
      expect(settings.configs.map((c) => c.name)).toEqual(['work', 'extra']);
    });

    it('keeps the key across a rename of its config', async () => {
      const [sealed] = await storedKeys(settingsFile);
      await cli().update((current) => ({
        ...current,
        configs: current.configs.map((c) => ({ ...c, name: 'renamed' })),
        tiers: { ...current.tiers, primary: ['renamed'] },
      }));
      expect(await storedKeys(settingsFile)).toEqual([sealed]);
      expect((await desktop().load()).settings.configs[0]).toMatchObject({ name: 'renamed', endpoints: [{ api_key: SECRET }] });
    });

    it('keeps a stored disabled flag disabled', async () => {
      await desktop().update((current) => ({
        ...current,
        configs: current.configs.map((c) => ({ ...c, endpoints: c.endpoints.map((e) => ({ ...e, enabled: false })) })),
      }));
      await cli().update((current) => ({ ...current, pinned: true }));
      expect((JSON.parse(await readFile(settingsFile, 'utf8')) as Settings).configs[0]!.endpoints[0]!.enabled).toBe(false);
    });

    it('can be turned off and on again through the CLI, and the flag is stored with the key kept', async () => {
      const [sealed] = await storedKeys(settingsFile);
      const setEnabled = (enabled: boolean) =>
        cli().update((current) => ({ ...current, configs: current.configs.map((c) => ({ ...c, endpoints: c.endpoints.map((e) => ({ ...e, enabled })) })) }));
      await setEnabled(false);
      expect((JSON.parse(await readFile(settingsFile, 'utf8')) as Settings).configs[0]!.endpoints[0]).toMatchObject({ api_key: sealed, enabled: false });
      expect((await desktop().load()).settings.configs[0]!.endpoints[0]).toMatchObject({ api_key: SECRET, enabled: false });
      await setEnabled(true);
      expect((JSON.parse(await readFile(settingsFile, 'utf8')) as Settings).configs[0]!.endpoints[0]).toMatchObject({ api_key: sealed, enabled: true });
    });

    it('re-entered through the CLI, takes the new key and its stored enabled flag', async () => {
      const written = await cli().update((current) => ({
        ...current,
        configs: current.configs.map((c) => ({ ...c, endpoints: c.endpoints.map((e) => ({ ...e, api_key: 'sk-ant-reentered-5555' })) })),
      }));
      expect(written.configs[0]!.endpoints[0]).toMatchObject({ api_key: 'sk-ant-reentered-5555', enabled: true });
      expect((await cli().load()).problems).toEqual([]);
      expect((JSON.parse(await readFile(settingsFile, 'utf8')) as Settings).configs[0]!.endpoints[0]).toMatchObject({
        api_key: 'sk-ant-reentered-5555',
        enabled: true,
      });
    });

    it('after a keychain change, says so without suggesting the desktop app, and keeps the key', async () => {
      const [sealed] = await storedKeys(settingsFile);
      const other = desktop(new TestKeychainCodec('keychain-b'));
      const { problems, settings } = await other.load();
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain('could not be decrypted with this keychain');
      expect(problems[0]).not.toContain('desktop app');
      expect(keyUnavailable(settings.configs[0]!.endpoints[0]!)).toBe(true);
      await other.update((current) => ({ ...current, pinned: true }));
      expect(await storedKeys(settingsFile)).toEqual([sealed]);
    });

    it('does not fail validation when the sealed value is longer than any key may be', async () => {
      const longKey = `sk-${'x'.repeat(505)}`;
      await desktop().update((current) => ({ ...current, configs: [config('work', longKey)] }));
      expect((await storedKeys(settingsFile))[0]!.length).toBeGreaterThan(512);
      const { settings, problems } = await cli().load();
      expect(settings.configs).toHaveLength(1);
      expect(problems).toHaveLength(1);
      expect(problems[0]).not.toMatch(/not valid/);
      expect(await readdir(dir)).not.toContain(`settings.json.corrupt-${STAMP}`);
    });
  });

  it('migrates a v1 file with its keys sealed, including the v1 backup', async () => {
    await writeFile(settingsFile, JSON.stringify(V1_DOCUMENT));
    const { settings, problems } = await desktop().load();
    expect(problems).toEqual([]);
    expect(settings.configs[0]!.endpoints[0]!.api_key).toBe('sk-ant-work-1234567890');
    for (const file of [settingsFile, join(dir, 'settings.json.v1-backup')]) {
      const text = await readFile(file, 'utf8');
      expect(text).not.toContain('sk-ant-work-1234567890');
      expect(text).not.toContain('sk-personal-key-abcd');
    }
    const v1Backup = JSON.parse(await readFile(join(dir, 'settings.json.v1-backup'), 'utf8')) as typeof V1_DOCUMENT;
    expect(codec.unseal(v1Backup.configs[0]!.endpoints[0]!.key)).toBe('sk-ant-work-1234567890');
  });

  it('restores a sealed .bak over a corrupt settings.json without unsealing it to disk', async () => {
    const repo = desktop();
    await repo.update((current) => withConfig(current, 'one'));
    await repo.update((current) => withConfig(current, 'two'));
    await writeFile(settingsFile, '{ broken');
    const { settings, problems } = await desktop().load();
    expect(problems[0]).toContain('Restored the last good copy');
    expect(settings.configs[0]!.endpoints[0]!.api_key).toBe(SECRET);
    expect(await readFile(settingsFile, 'utf8')).not.toContain(SECRET);
  });

  it('writes settings.json and its .bak through the given writer, sealed', async () => {
    const writes: { file: string; text: string }[] = [];
    const writer: SettingsDocumentWriter = {
      async write(file, doc) {
        writes.push({ file, text: serializeSettings(doc) });
        await writeFile(file, serializeSettings(doc), { mode: 0o600 });
      },
    };
    const repo = new JsonSettingsRepository({ dir, clock, secrets: codec, writer });
    await repo.update((current) => withConfig(current, 'one'));
    await repo.update((current) => ({ ...current, pinned: true }));
    expect(writes.map((w) => w.file)).toEqual([settingsFile, backupFile, settingsFile]);
    expect(writes.some((w) => w.text.includes(SECRET))).toBe(false);
    expect(await readFile(settingsFile, 'utf8')).toBe(writes[2]!.text);
  });
});
