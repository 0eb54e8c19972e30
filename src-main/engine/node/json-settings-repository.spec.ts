import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../../src-shared/contract/errors.js';
import type { Config } from '../../../src-shared/model/config.js';
import { DEFAULT_POLICY } from '../../../src-shared/model/policy.js';
import { SETTINGS_SCHEMA_VERSION, emptySettings, type Settings } from '../../../src-shared/model/settings.js';
import { JsonSettingsRepository } from './json-settings-repository.js';
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
