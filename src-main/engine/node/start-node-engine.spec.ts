import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock, RecordingNotifier } from '../core/testing/fakes.js';
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

async function start(clock = new FakeClock()) {
  const host = await startNodeEngine({ dataDir: dir, notifier: new RecordingNotifier(), clock });
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
