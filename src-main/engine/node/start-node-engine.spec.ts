import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock, RecordingNotifier } from '../core/testing/fakes.js';
import { serializeSettings, type SettingsDocumentWriter } from './json-settings-repository.js';
import { SecretCodecError, isSealed, unwrapSealed, wrapSealed, type SecretCodec } from './secret-codec.js';
import { startNodeEngine } from './start-node-engine.js';

// The engine over real files: what a user sees across restarts of the app.

const SECRET = 'sk-ant-api03-TOPSECRET-0000-abcd';
let dir: string;
const started: { engine: { whenPersisted(): Promise<void> } }[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qcc-engine-'));
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((host) => host.engine.whenPersisted()));
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
});

async function start(clock = new FakeClock(), extra: { secrets?: SecretCodec; settingsWriter?: SettingsDocumentWriter } = {}) {
  const host = await startNodeEngine({ dataDir: dir, notifier: new RecordingNotifier(), clock, ...extra });
  started.push(host);
  return host;
}

describe('engine on the data directory', () => {
  it('keeps configs, the active config and the history across a restart', async () => {
    const clock = new FakeClock();
    const first = await start(clock);
    await first.engine.invoke('config:add', { name: 'production', endpoints: [{ base_url: 'https://api.anthropic.com', api_key: SECRET }] });
    await first.engine.invoke('config:add', { name: 'backup', tier: 'secondary', endpoints: [{ base_url: 'https://relay.example', api_key: 'relay-key-12345678' }] });
    const [endpoint] = first.engine.snapshot().tiers[0]?.configs[0]?.endpoints ?? [];
    for (let i = 0; i < 3; i++) first.engine.recordOutcome('production', endpoint?.id as string, { kind: 'failure', detail: 'HTTP 503', status: 503 });
    expect(first.engine.activeConfig).toBe('backup');
    await first.engine.whenPersisted();

    const second = await start(clock);
    expect(second.engine.activeConfig).toBe('backup');
    expect(second.engine.snapshot().problems).toEqual([]);
    const history = await second.engine.invoke('history:query', {});
    expect(history).toEqual([expect.objectContaining({ event_type: 'failover', from_config: 'production', to_config: 'backup' })]);

    // Secrets stay in settings.json (mode 0600) and nowhere else.
    expect((await stat(join(dir, 'settings.json'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dir, 'settings.json'), 'utf8')).toContain(SECRET);
    expect(await readFile(join(dir, 'events.jsonl'), 'utf8')).not.toContain('TOPSECRET');
  });

  it('starts from the last good copy when settings.json is corrupt, and says so', async () => {
    const first = await start();
    await first.engine.invoke('config:add', { name: 'production' });
    await first.engine.invoke('config:add', { name: 'backup', tier: 'secondary' });
    await first.engine.whenPersisted();
    await writeFile(join(dir, 'settings.json'), '{"schema_version": 2, "configs": [', { mode: 0o600 });

    const second = await start();
    const snapshot = second.engine.snapshot();
    expect(snapshot.problems).toHaveLength(1);
    expect(snapshot.problems[0]).toMatch(/settings\.json/);
    expect(snapshot.problems[0]).toMatch(/corrupt-/);
    // The .bak holds the document as it was before the last write (which only saved the active config).
    expect(snapshot.tiers.flatMap((t) => t.configs.map((c) => c.name))).toEqual(['production', 'backup']);
    expect(second.engine.activeConfig).toBe('production');
  });
});

/** Stands in for the desktop app's safeStorage codec: reversible, and only this codec can open what it sealed. */
const desktopCodec: SecretCodec = {
  protection: 'os-encryption',
  seal: (plain) => wrapSealed(Buffer.from(plain, 'utf8').map((byte) => byte ^ 0x33)),
  unseal: (stored) => {
    if (!isSealed(stored)) return stored;
    const plain = Buffer.from(unwrapSealed(stored).map((byte) => byte ^ 0x33)).toString('utf8');
    if (!/^[\x21-\x7e]+$/.test(plain)) throw new SecretCodecError('not_decryptable', 'could not be decrypted');
    return plain;
  },
};

describe('engine with sealed API keys', () => {
  it('seals keys stored in plaintext as soon as a sealing host starts', async () => {
    const headless = await start();
    await headless.engine.invoke('config:add', { name: 'production', endpoints: [{ base_url: 'https://api.anthropic.com', api_key: SECRET }] });
    await headless.engine.whenPersisted();
    expect(await readFile(join(dir, 'settings.json'), 'utf8')).toContain(SECRET);

    const desktop = await start(new FakeClock(), { secrets: desktopCodec });
    expect(await readFile(join(dir, 'settings.json'), 'utf8')).not.toContain('TOPSECRET');
    expect(desktop.engine.snapshot().problems).toEqual([]);
    expect(desktop.engine.plan().candidates.map((c) => c.endpoint.api_key)).toEqual([SECRET]);
  });

  it('a headless engine meeting a key sealed by the desktop app starts, says so, and sends it nowhere', async () => {
    const desktop = await start(new FakeClock(), { secrets: desktopCodec });
    await desktop.engine.invoke('config:add', { name: 'production', endpoints: [{ base_url: 'https://api.anthropic.com', api_key: SECRET }] });
    await desktop.engine.whenPersisted();
    const sealed = (JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8')) as { configs: { endpoints: { api_key: string }[] }[] })
      .configs[0]!.endpoints[0]!.api_key;

    const headless = await start();
    const added = await headless.engine.invoke('endpoint:add', { config: 'production', base_url: 'https://relay.example', api_key: 'relay-key-12345678' });
    const snapshot = headless.engine.snapshot();
    expect(snapshot.problems).toHaveLength(1);
    expect(snapshot.problems[0]).toContain('config "production", endpoint');
    expect(JSON.stringify(snapshot)).not.toContain('TOPSECRET');
    expect(JSON.stringify(snapshot)).not.toContain(sealed.slice(20, 40));
    const [locked, usable] = snapshot.tiers[0]!.configs[0]!.endpoints;
    expect(locked!.key_hint).toBe('unavailable here');
    expect(usable!.id).toBe(added.id);

    // Neither the proxy nor the health monitor gets the locked endpoint.
    expect(headless.engine.plan().candidates.map((c) => c.endpoint.id)).toEqual([added.id]);
    expect(headless.engine.probeTargets().map((t) => t.endpoint.id)).toEqual([added.id]);

    // The desktop app, started again, has both keys.
    await headless.engine.whenPersisted();
    const again = await start(new FakeClock(), { secrets: desktopCodec });
    expect(again.engine.plan().candidates.map((c) => c.endpoint.api_key)).toEqual([SECRET, 'relay-key-12345678']);
  });

  it('writes settings through the given writer', async () => {
    const files: string[] = [];
    const settingsWriter: SettingsDocumentWriter = {
      async write(file, doc) {
        files.push(file);
        await writeFile(file, serializeSettings(doc), { mode: 0o600 });
      },
    };
    const host = await start(new FakeClock(), { settingsWriter });
    await host.engine.invoke('config:add', { name: 'production' });
    await host.engine.whenPersisted();
    expect(files).toContain(join(dir, 'settings.json'));
  });
});
