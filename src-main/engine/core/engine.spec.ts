import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../../../src-shared/contract/commands.js';
import type { EngineSnapshot } from '../../../src-shared/contract/snapshot.js';
import { EngineHarness } from './testing/engine-harness.js';

const KEY = 'sk-ant-api03-SECRETSECRETSECRET-9f3a';

async function withOneConfig() {
  const h = await EngineHarness.create({}, []);
  await h.engine.invoke('config:add', { name: 'production', endpoints: [{ base_url: 'https://api.anthropic.com/', api_key: KEY }] });
  return h;
}

describe('Engine commands', () => {
  it('has a handler for every command of the contract', async () => {
    const h = await EngineHarness.create({}, []);
    expect(Object.keys(h.engine.handlers).sort()).toEqual([...COMMAND_NAMES].sort());
  });

  it('adds configs at the end of the primary tier unless told otherwise, and persists them', async () => {
    const h = await EngineHarness.create({}, []);
    await h.engine.invoke('config:add', { name: 'a' });
    await h.engine.invoke('config:add', { name: 'b' });
    await h.engine.invoke('config:add', { name: 'c', tier: 'fallback', description: 'emergency' });
    expect(h.repository.stored.tiers).toMatchObject({ primary: ['a', 'b'], fallback: ['c'] });
    expect(h.repository.stored.configs.map((c) => c.name)).toEqual(['a', 'b', 'c']);
    await expect(h.engine.invoke('config:add', { name: 'a' })).rejects.toMatchObject({ code: 'already_exists' });
  });

  it('never shows a key: snapshots, views and errors carry only a hint', async () => {
    const h = await withOneConfig();
    const [id] = h.endpointIds('production');
    h.engine.recordOutcome('production', id as string, { kind: 'credential_rejected', status: 401 });
    const snapshot = await h.engine.invoke('state:get', {});
    const text = JSON.stringify(snapshot) + JSON.stringify(h.recorded) + JSON.stringify(h.notifier.notifications);
    expect(text).not.toContain('SECRETSECRET');
    expect(snapshot.tiers[0]?.configs[0]?.endpoints[0]?.key_hint).toBe('sk-…9f3a');
    const error = await h.engine.dispatch('endpoint:update', { config: 'production', endpoint_id: id, api_key: 'bad key with spaces SECRET' }).catch((e: Error) => e);
    expect((error as Error).message).not.toContain('SECRET');
    expect((error as Error).message).toContain('api_key');
  });

  it('validates untrusted payloads and names the bad field', async () => {
    const h = await withOneConfig();
    await expect(h.engine.dispatch('priority:move', { name: 'production', tier: 'tertiary' })).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringMatching(/^priority:move: tier: must be one of primary/),
    });
    await expect(h.engine.dispatch('policy:update', { failure_threshold: 0 })).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringContaining('failure_threshold: must be at least 1'),
    });
    await expect(h.engine.dispatch('policy:update', { ejection_base_time: 400 })).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringContaining('policy.ejection_max_time'),
    });
    await expect(h.engine.dispatch('config:explode', {})).rejects.toMatchObject({ code: 'unknown_command' });
    await expect(h.engine.dispatch('state:get', 'not an object')).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(h.repository.stored.policy.failure_threshold).toBe(3); // nothing saved
  });

  it('updates, renames and removes configs and endpoints', async () => {
    const h = await withOneConfig();
    const added = await h.engine.invoke('endpoint:add', { config: 'production', base_url: 'https://relay.example/api', api_key: 'relay-key-123456', auth_style: 'bearer' });
    expect(added).toMatchObject({ base_url: 'https://relay.example/api', auth_style: 'bearer', enabled: true });
    await h.engine.invoke('endpoint:update', { config: 'production', endpoint_id: added.id, enabled: false });
    expect(h.repository.stored.configs[0]?.endpoints[1]?.enabled).toBe(false);

    await h.engine.invoke('config:update', { name: 'production', new_name: 'prod', description: 'main account' });
    expect(h.engine.activeConfig).toBe('prod');
    expect(h.repository.stored.tiers.primary).toEqual(['prod']);
    await h.engine.whenPersisted();
    expect(h.repository.stored.active_config).toBe('prod');

    await h.engine.invoke('endpoint:remove', { config: 'prod', endpoint_id: added.id });
    expect(h.endpointIds('prod')).toHaveLength(1);
    await expect(h.engine.invoke('endpoint:remove', { config: 'prod', endpoint_id: 'ep-999' })).rejects.toMatchObject({ code: 'not_found' });
    await h.engine.invoke('config:remove', { name: 'prod' });
    expect(h.engine.snapshot().overall).toBe('idle');
    expect(h.engine.activeConfig).toBeNull();
  });

  it('a user edit of the key clears a rejected-key flag; time alone does not', async () => {
    const h = await withOneConfig();
    const [id] = h.endpointIds('production') as [string];
    h.engine.recordOutcome('production', id, { kind: 'credential_rejected', status: 403 });
    h.clock.advanceSeconds(86_400);
    h.engine.tick();
    expect(h.engine.configHealth('production').status).toBe('unhealthy');
    await h.engine.invoke('endpoint:update', { config: 'production', endpoint_id: id, api_key: 'sk-ant-new-key-000000' });
    const endpoint = h.engine.snapshot().tiers[0]?.configs[0]?.endpoints[0];
    expect(endpoint?.health).toMatchObject({ state: 'closed', credential_rejected: false });
  });

  it('health:check-now probes every enabled endpoint and feeds the breakers', async () => {
    const h = await EngineHarness.create({ failure_threshold: 1 }, [
      { name: 'production', tier: 'primary', endpoints: 2 },
      { name: 'backup', tier: 'secondary', endpoints: 1 },
    ]);
    const [p1, p2] = h.endpointIds('production') as [string, string];
    h.prober.outcomes.set(p1, { kind: 'failure', detail: 'connect ECONNREFUSED' });
    h.prober.outcomes.set(p2, { kind: 'credential_rejected', status: 401 });
    const snapshot = await h.engine.invoke('health:check-now', {});
    expect(h.prober.probed.sort()).toEqual([...h.endpointIds('production'), ...h.endpointIds('backup')].sort());
    expect(snapshot.active_config).toBe('backup');
    const production = snapshot.tiers[0]?.configs[0];
    expect(production?.health).toMatchObject({ status: 'unhealthy', healthy_endpoints: 0, total_endpoints: 2 });
    expect(production?.endpoints.map((e) => e.health.last_error)).toEqual(['connect ECONNREFUSED', 'key rejected (401)']);
  });

  it('publishes snapshots with a growing revision, and a throwing listener breaks nothing', async () => {
    const h = await withOneConfig();
    const revisions: number[] = [];
    h.engine.on('state:changed', () => {
      throw new Error('listener bug');
    });
    h.engine.on('state:changed', (snapshot: EngineSnapshot) => revisions.push(snapshot.revision));
    await h.engine.invoke('config:add', { name: 'backup', tier: 'secondary', endpoints: [{ base_url: 'https://backup.example', api_key: 'sk-backup-0000000000' }] });
    h.kill('production');
    expect(revisions.length).toBeGreaterThanOrEqual(2);
    expect([...revisions].sort((a, b) => a - b)).toEqual(revisions);
    expect(new Set(revisions).size).toBe(revisions.length);
    expect(h.engine.activeConfig).toBe('backup');
  });

  it('keeps the engine running when storage fails, and says so', async () => {
    const h = await withOneConfig();
    h.repository.update = async () => {
      throw new Error('disk full');
    };
    await h.engine.invoke('config:add', { name: 'x' }).catch(() => undefined);
    await h.engine.invoke('failover:unpin', {});
    await h.engine.whenPersisted();
    expect(h.engine.snapshot().problems).toEqual(['could not save state: disk full']);
  });
});

describe('the host\'s proxy in the snapshot', () => {
  it('starts with no proxy, then shows what the host reports, publishing each change once', async () => {
    const h = await EngineHarness.create({}, []);
    expect(h.engine.snapshot().proxy).toBeNull();
    const published: EngineSnapshot[] = [];
    h.engine.on('state:changed', (snapshot) => published.push(snapshot));
    h.engine.setProxyState({ url: 'http://127.0.0.1:7860', paused: false });
    h.engine.setProxyState({ url: 'http://127.0.0.1:7860', paused: false });
    h.engine.setProxyState({ url: 'http://127.0.0.1:7860', paused: true });
    expect(published.map((snapshot) => snapshot.proxy)).toEqual([
      { url: 'http://127.0.0.1:7860', paused: false },
      { url: 'http://127.0.0.1:7860', paused: true },
    ]);
    expect(published[1]!.revision).toBeGreaterThan(published[0]!.revision);
  });
});

describe('problems reported by the host', () => {
  it('joins the start-up problems once and is published', async () => {
    const h = await EngineHarness.create({}, []);
    const published: EngineSnapshot[] = [];
    h.engine.on('state:changed', (snapshot) => published.push(snapshot));
    h.engine.reportProblem('API keys are not encrypted');
    h.engine.reportProblem('API keys are not encrypted');
    expect(h.engine.snapshot().problems).toEqual(['API keys are not encrypted']);
    expect(published).toHaveLength(1);
  });
});

describe('endpoint:update', () => {
  it('answers with the endpoint as stored, not as requested', async () => {
    const h = await withOneConfig();
    const [endpoint] = h.repository.stored.configs[0]!.endpoints;
    // A repository that settles a field on write (as the sealed-key store re-enables a re-keyed endpoint).
    const update = h.repository.update.bind(h.repository);
    h.repository.update = (mutate) => update((current) => {
      const next = mutate(current);
      next.configs[0]!.endpoints[0]!.enabled = true;
      return next;
    });
    const view = await h.engine.invoke('endpoint:update', { config: 'production', endpoint_id: endpoint!.id, enabled: false });
    expect(view.enabled).toBe(true);
    expect(h.repository.stored.configs[0]!.endpoints[0]!.enabled).toBe(true);
  });
});

describe('live endpoint statistics', () => {
  it('publishes changed success rates and latencies on the next tick, not per request', async () => {
    const h = await EngineHarness.create({}, [{ name: 'production', tier: 'primary', endpoints: 1 }]);
    const [id] = h.endpointIds('production') as [string];
    h.engine.recordOutcome('production', id, { kind: 'success', latency_ms: 10 });
    const published: number[] = [];
    h.engine.on('state:changed', (snapshot) => published.push(snapshot.tiers[0]?.configs[0]?.endpoints[0]?.stats.total.successes ?? -1));
    for (let i = 0; i < 5; i++) h.engine.recordOutcome('production', id, { kind: 'success', latency_ms: 20 });
    expect(published).toEqual([]);
    h.engine.tick();
    expect(published).toEqual([6]);
    h.engine.tick();
    expect(published).toEqual([6]);
  });
});

describe('history:query right after a switch', () => {
  it('includes the switch even when the event log writes slowly', async () => {
    const h = await EngineHarness.create({}, [
      { name: 'production', tier: 'primary', endpoints: 1 },
      { name: 'backup', tier: 'secondary', endpoints: 1 },
    ]);
    const append = h.events.append.bind(h.events);
    h.events.append = (event) => new Promise((resolve) => setTimeout(() => resolve(append(event)), 30));
    await h.engine.invoke('failover:switch', { name: 'backup', reason: 'slow disk' });
    const history = await h.engine.invoke('history:query', {});
    expect(history[0]).toMatchObject({ event_type: 'manual', reason: 'slow disk' });
  });
});

describe("a config's own counters (what recovery reads)", () => {
  const FAIL = { kind: 'failure', detail: 'connect ECONNREFUSED' } as const;

  async function degradedPair() {
    const h = await EngineHarness.create({ ejection_base_time: 30 }, [{ name: 'production', tier: 'primary', endpoints: 2 }]);
    const [dead, alive] = h.endpointIds('production') as [string, string];
    for (let i = 0; i < 3; i++) h.engine.recordOutcome('production', dead, FAIL);
    h.clock.advanceSeconds(10);
    for (let i = 0; i < 3; i++) h.engine.recordOutcome('production', alive, { kind: 'success', latency_ms: 9 });
    return { h, dead, alive };
  }

  it("leaves the success streak and last_failure alone when an endpoint fails while another serves, whether traffic or probe", async () => {
    const { h, dead, alive } = await degradedPair();
    expect(h.engine.configHealth('production')).toMatchObject({ status: 'degraded', consecutive_successes: 3, last_failure: null });

    h.clock.advanceSeconds(30); // dead's ejection expired: half-open, probed, fails again
    h.engine.recordOutcome('production', dead, FAIL, 'probe');
    h.engine.recordOutcome('production', dead, { kind: 'rate_limited', retry_after_ms: 5_000 });
    h.engine.recordOutcome('production', dead, { kind: 'credential_rejected', status: 401 }, 'probe');
    h.engine.recordOutcome('production', alive, { kind: 'neutral' });
    const health = h.engine.configHealth('production');
    expect(health).toMatchObject({ status: 'degraded', consecutive_successes: 3, consecutive_failures: 0, last_failure: null });
    expect(health.last_check).toBe(h.clock.now()); // still a check of the config
    const deadHealth = h.engine.snapshot().tiers[0]?.configs[0]?.endpoints[0]?.health;
    expect(deadHealth).toMatchObject({ state: 'open', consecutive_failures: 6, credential_rejected: true });

    h.engine.recordOutcome('production', alive, { kind: 'success', latency_ms: 9 });
    expect(h.engine.configHealth('production').consecutive_successes).toBe(4);
  });

  it('counts a failure of the last serving endpoint as the config failing, before that endpoint is even ejected', async () => {
    const { h, dead, alive } = await degradedPair();
    h.clock.advanceSeconds(5);
    h.engine.recordOutcome('production', dead, FAIL, 'probe'); // still ejected; alive serves
    expect(h.engine.configHealth('production')).toMatchObject({ consecutive_successes: 3, last_failure: null });

    h.engine.recordOutcome('production', alive, { kind: 'failure', detail: 'HTTP 503', status: 503 });
    expect(h.engine.configHealth('production')).toMatchObject({
      status: 'degraded', // one failure is below failure_threshold: alive is still closed
      consecutive_successes: 0,
      consecutive_failures: 1,
      last_failure: h.clock.now(),
    });
    const firstFailure = h.clock.now();
    h.clock.advanceSeconds(1);
    h.engine.recordOutcome('production', dead, FAIL, 'probe'); // alive is still closed: absorbed
    expect(h.engine.configHealth('production')).toMatchObject({ consecutive_failures: 1, last_failure: firstFailure });

    h.engine.recordOutcome('production', alive, { kind: 'failure', detail: 'HTTP 503', status: 503 });
    h.engine.recordOutcome('production', alive, { kind: 'failure', detail: 'HTTP 503', status: 503 });
    expect(h.engine.configHealth('production')).toMatchObject({ status: 'unhealthy', consecutive_failures: 3 });
    h.clock.advanceSeconds(1);
    h.engine.recordOutcome('production', dead, FAIL, 'probe'); // nothing serves now: the config failed again
    expect(h.engine.configHealth('production')).toMatchObject({ consecutive_failures: 4, last_failure: h.clock.now() });
  });

  it('counts every failure of a single-endpoint config, as before', async () => {
    const h = await EngineHarness.create({}, [{ name: 'production', tier: 'primary', endpoints: 1 }]);
    h.succeed('production', 2);
    h.clock.advanceSeconds(1);
    h.report('production', { kind: 'failure', detail: 'HTTP 502', status: 502 }); // below failure_threshold: still serving
    expect(h.engine.configHealth('production')).toMatchObject({ status: 'healthy', consecutive_successes: 0, consecutive_failures: 1, last_failure: h.clock.now() });
    h.clock.advanceSeconds(1);
    h.report('production', { kind: 'rate_limited', retry_after_ms: 1_000 });
    expect(h.engine.configHealth('production')).toMatchObject({ consecutive_failures: 2, last_failure: h.clock.now() });
  });
});
