import { describe, expect, it } from 'vitest';
import { UNAVAILABLE_KEY_PREFIX } from '../../../src-shared/model/config.js';
import { EngineHarness } from './testing/engine-harness.js';

// The seed's "test failover regularly", as one command.

const PAIR = [
  { name: 'production', tier: 'primary', endpoints: 1 },
  { name: 'backup', tier: 'secondary', endpoints: 1 },
] as const;

describe('failover drill', () => {
  it('moves traffic to the next config for the duration, then back, and records both', async () => {
    const h = await EngineHarness.create({}, [...PAIR]);
    const { event, until } = await h.engine.invoke('failover:drill', { duration_s: 30 });
    expect(event).toMatchObject({ event_type: 'drill_started', from_config: 'production', to_config: 'backup' });
    expect(until).toBe(h.clock.now() + 30_000);
    expect(h.engine.activeConfig).toBe('backup');
    expect(h.engine.snapshot().drill).toEqual({ config: 'production', until });
    // The drilled config gets no traffic, though it is healthy.
    expect(new Set(h.engine.plan().candidates.map((c) => c.config))).toEqual(new Set(['backup']));
    h.succeed('production', 5);
    h.engine.tick();
    expect(h.engine.activeConfig).toBe('backup');

    h.clock.advanceSeconds(30);
    h.engine.tick();
    expect(h.engine.activeConfig).toBe('production');
    expect(h.engine.snapshot().drill).toBeNull();
    expect(h.eventTypes()).toEqual(['drill_started', 'drill_ended']);
    expect(h.engine.plan().candidates[0]?.config).toBe('production');
  });

  it('ends early rather than cause an outage when the other config dies', async () => {
    const h = await EngineHarness.create({}, [...PAIR]);
    await h.engine.invoke('failover:drill', { duration_s: 60 });
    h.kill('backup');
    expect(h.engine.activeConfig).toBe('production');
    expect(h.eventTypes()).toEqual(['drill_started', 'drill_ended']);
    expect(h.engine.snapshot().overall).not.toBe('all_down');
  });

  it('refuses with nothing to fail over to, and refuses a second drill', async () => {
    const lonely = await EngineHarness.create({}, [{ name: 'production', tier: 'primary', endpoints: 1 }]);
    await expect(lonely.engine.invoke('failover:drill', {})).rejects.toMatchObject({ code: 'failed_precondition' });
    const h = await EngineHarness.create({}, [...PAIR]);
    await h.engine.invoke('failover:drill', {});
    await expect(h.engine.invoke('failover:drill', {})).rejects.toMatchObject({ code: 'failed_precondition', message: expect.stringContaining('already running') });
  });

  it('says in the snapshot where a drill would go, and that none can start while one runs or nothing else is healthy', async () => {
    const h = await EngineHarness.create({}, [...PAIR, { name: 'spare', tier: 'fallback', endpoints: 1 }]);
    expect(h.engine.snapshot().drill_target).toBe('backup');
    h.kill('backup');
    expect(h.engine.snapshot().drill_target).toBe('spare');
    const { event } = await h.engine.invoke('failover:drill', {});
    expect(event.to_config).toBe('spare');
    expect(h.engine.snapshot().drill_target).toBeNull(); // one is running

    const lonely = await EngineHarness.create({}, [PAIR[0]]);
    expect(lonely.engine.snapshot().drill_target).toBeNull();
    await expect(lonely.engine.invoke('failover:drill', {})).rejects.toMatchObject({ code: 'failed_precondition' });
  });

  it('validates the duration', async () => {
    const h = await EngineHarness.create({}, [...PAIR]);
    await expect(h.engine.dispatch('failover:drill', { duration_s: 1 })).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('duration_s') });
  });

  it('a manual switch during the drill wins over the way back', async () => {
    const h = await EngineHarness.create({}, [...PAIR, { name: 'emergency', tier: 'fallback', endpoints: 1 }]);
    await h.engine.invoke('failover:drill', { duration_s: 10 });
    await h.engine.invoke('failover:switch', { name: 'emergency', reason: 'testing the fallback too' });
    h.clock.advanceSeconds(10);
    h.engine.tick();
    expect(h.engine.activeConfig).toBe('emergency');
  });
});

describe('endpoint:test', () => {
  it('probes one endpoint now, feeds its breaker and says what happened without the key', async () => {
    const h = await EngineHarness.create({ failure_threshold: 1 }, [...PAIR]);
    const [id] = h.endpointIds('production') as [string];
    h.prober.outcomes.set(id, { kind: 'credential_rejected', status: 401 });
    const result = await h.engine.invoke('endpoint:test', { config: 'production', endpoint_id: id });
    expect(result).toMatchObject({ outcome: 'credential_rejected', detail: 'key rejected (401)', latency_ms: null });
    expect(result.endpoint.health).toMatchObject({ state: 'open', credential_rejected: true });
    expect(JSON.stringify(result)).not.toContain('0123456789abcdef');
    expect(h.prober.probed).toEqual([id]);

    h.prober.outcomes.set(id, { kind: 'success', latency_ms: 42 });
    expect(await h.engine.invoke('endpoint:test', { config: 'production', endpoint_id: id })).toMatchObject({ outcome: 'success', latency_ms: 42 });
    await expect(h.engine.invoke('endpoint:test', { config: 'production', endpoint_id: 'ep-nope' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses to test an endpoint whose key this process cannot decrypt, and never sends the stand-in anywhere', async () => {
    const h = await EngineHarness.create({ failure_threshold: 1 }, [...PAIR]);
    const locked = await h.engine.invoke('endpoint:add', { config: 'production', base_url: 'https://locked.example', api_key: `${UNAVAILABLE_KEY_PREFIX}0123abcd` });
    await expect(h.engine.invoke('endpoint:test', { config: 'production', endpoint_id: locked.id })).rejects.toMatchObject({
      code: 'failed_precondition',
      message: expect.stringContaining(`qcc endpoint update production ${locked.id} --api-key KEY`),
    });
    expect(h.prober.probed).toEqual([]);
    expect(h.engine.snapshot().tiers[0]!.configs[0]!.endpoints.find((e) => e.id === locked.id)?.health.credential_rejected).toBe(false);
    // Enabled or not, it is no candidate and no probe target.
    expect(h.engine.plan().candidates.map((c) => c.endpoint.id)).not.toContain(locked.id);
    expect(h.engine.probeTargets().map((t) => t.endpoint.id)).not.toContain(locked.id);
    expect(h.engine.probeTarget('production', locked.id)).toBeNull();
  });
});
