import { describe, expect, it } from 'vitest';
import { EndpointStats, SPARKLINE_SAMPLES, STATS_WINDOW } from './endpoint-stats.js';
import type { AttemptOutcome } from './outcome.js';
import { EngineHarness } from './testing/engine-harness.js';

// The health bars' numbers: success rate and p50 latency over a bounded
// window of an endpoint's latest outcomes, plus a sparkline's worth of samples.

const ok = (latency_ms?: number): AttemptOutcome => (latency_ms === undefined ? { kind: 'success' } : { kind: 'success', latency_ms });
const FAIL: AttemptOutcome = { kind: 'failure', detail: 'HTTP 503', status: 503 };

describe('EndpointStats', () => {
  it('has nothing to say before any outcome', () => {
    expect(new EndpointStats().view()).toEqual({
      success_rate: null,
      latency_p50_ms: null,
      window: 0,
      samples: [],
      total: { successes: 0, failures: 0 },
    });
  });

  it('counts successes against failures, rate limits and rejected keys; ignores neutral outcomes', () => {
    const stats = new EndpointStats();
    stats.record(ok(10), 1);
    stats.record(ok(20), 2);
    stats.record(ok(30), 3);
    stats.record(FAIL, 4);
    stats.record({ kind: 'rate_limited', retry_after_ms: 1_000 }, 5);
    stats.record({ kind: 'credential_rejected', status: 401 }, 6);
    stats.record({ kind: 'neutral' }, 7);
    const view = stats.view();
    expect(view.success_rate).toBe(0.5);
    expect(view.window).toBe(6);
    expect(view.total).toEqual({ successes: 3, failures: 3 });
    expect(view.samples.map((sample) => sample.at)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(view.samples[3]).toEqual({ at: 4, ok: false, latency_ms: null });
  });

  it('keeps only the last STATS_WINDOW outcomes for rate and p50, but totals everything', () => {
    const stats = new EndpointStats();
    for (let i = 0; i < STATS_WINDOW; i++) stats.record(FAIL, i);
    for (let i = 0; i < STATS_WINDOW / 2; i++) stats.record(ok(100), STATS_WINDOW + i);
    let view = stats.view();
    expect(view.window).toBe(STATS_WINDOW);
    expect(view.success_rate).toBe(0.5);
    expect(view.total).toEqual({ successes: STATS_WINDOW / 2, failures: STATS_WINDOW });

    // Another half-window of successes pushes every failure out.
    for (let i = 0; i < STATS_WINDOW / 2; i++) stats.record(ok(100), 2 * STATS_WINDOW + i);
    view = stats.view();
    expect(view.success_rate).toBe(1);
    expect(view.window).toBe(STATS_WINDOW);
  });

  it('takes p50 over the window’s measured successes only, as an observed value', () => {
    const stats = new EndpointStats(5);
    stats.record(ok(900), 1); // falls out of the window below
    stats.record(ok(40), 2);
    stats.record(FAIL, 3);
    stats.record(ok(10), 4);
    stats.record(ok(), 5); // success without a measurement
    stats.record(ok(30), 6);
    stats.record(ok(20), 7);
    const view = stats.view();
    expect(view.samples.map((sample) => sample.at)).toEqual([3, 4, 5, 6, 7]);
    expect(view.latency_p50_ms).toBe(20); // lower middle of 10, 20, 30
    expect(view.success_rate).toBe(4 / 5);

    stats.record(ok(25), 8); // 10, 20, 25, 30 → lower middle 20
    expect(stats.view().latency_p50_ms).toBe(20);
    stats.record(ok(50), 9); // window [-, 30, 20, 25, 50] → 20, 25, 30, 50 → 25
    expect(stats.view().latency_p50_ms).toBe(25);
  });

  it('has no p50 when no success was measured', () => {
    const stats = new EndpointStats();
    stats.record(FAIL, 1);
    stats.record(ok(), 2);
    expect(stats.view().latency_p50_ms).toBeNull();
  });

  it('returns the latest SPARKLINE_SAMPLES samples, oldest first, rounded to 0.1 ms', () => {
    const stats = new EndpointStats();
    for (let i = 0; i < 45; i++) stats.record(i % 3 === 0 ? FAIL : ok(i + 0.123456), i);
    const { samples } = stats.view();
    expect(samples).toHaveLength(SPARKLINE_SAMPLES);
    expect(samples[0]?.at).toBe(45 - SPARKLINE_SAMPLES);
    expect(samples.at(-1)).toEqual({ at: 44, ok: true, latency_ms: 44.1 });
    expect(samples.filter((sample) => !sample.ok).every((sample) => sample.latency_ms === null)).toBe(true);
  });

  it('hands out copies: a view cannot change the stats', () => {
    const stats = new EndpointStats();
    stats.record(ok(10), 1);
    const view = stats.view();
    (view.samples[0] as { ok: boolean }).ok = false;
    expect(stats.view().success_rate).toBe(1);
  });
});

describe('endpoint stats in the engine', () => {
  async function setup() {
    const h = await EngineHarness.create({}, [{ name: 'production', tier: 'primary', endpoints: 2 }]);
    const [first, second] = h.endpointIds('production') as [string, string];
    const view = (id: string) =>
      h.engine
        .snapshot()
        .tiers.flatMap((tier) => tier.configs)
        .flatMap((config) => config.endpoints)
        .find((endpoint) => endpoint.id === id);
    return { h, first, second, view };
  }

  it('shows each endpoint’s success rate, p50 and samples in the snapshot', async () => {
    const { h, first, second, view } = await setup();
    h.engine.recordOutcome('production', first, { kind: 'success', latency_ms: 120 });
    h.clock.advance(1_000);
    h.engine.recordOutcome('production', first, { kind: 'failure', detail: 'HTTP 502', status: 502 });
    h.engine.recordOutcome('production', first, { kind: 'neutral' });
    h.engine.recordOutcome('production', first, { kind: 'success', latency_ms: 80 }, 'probe');
    expect(view(first)?.stats).toMatchObject({
      success_rate: 2 / 3,
      latency_p50_ms: 80,
      window: 3,
      total: { successes: 2, failures: 1 },
      samples: [
        { at: h.clock.now() - 1_000, ok: true, latency_ms: 120 },
        { at: h.clock.now(), ok: false, latency_ms: null },
        { at: h.clock.now(), ok: true, latency_ms: 80 },
      ],
    });
    expect(view(second)?.stats).toMatchObject({ success_rate: null, window: 0 });
  });

  it('feeds stats through the proxy’s request plan too', async () => {
    const { h, first, view } = await setup();
    const plan = h.engine.plan();
    const candidate = plan.candidates.find((c) => c.endpoint.id === first);
    if (!candidate) throw new Error('no candidate');
    plan.report(candidate, { kind: 'success', latency_ms: 42 });
    expect(view(first)?.stats.latency_p50_ms).toBe(42);
  });

  it('starts over when the endpoint’s key is edited, but not when it is disabled or its config renamed', async () => {
    const { h, first, second, view } = await setup();
    h.engine.recordOutcome('production', first, { kind: 'success', latency_ms: 10 });
    h.engine.recordOutcome('production', second, { kind: 'success', latency_ms: 10 });
    await h.engine.invoke('endpoint:update', { config: 'production', endpoint_id: second, enabled: false });
    await h.engine.invoke('config:update', { name: 'production', new_name: 'prod' });
    expect(view(first)?.stats.window).toBe(1);
    expect(view(second)?.stats.window).toBe(1);

    const updated = await h.engine.invoke('endpoint:update', { config: 'prod', endpoint_id: first, api_key: 'sk-ant-new-key-0000000000' });
    expect(updated.stats).toMatchObject({ success_rate: null, window: 0, total: { successes: 0, failures: 0 } });
    expect(view(second)?.stats.window).toBe(1);
  });

  it('drops the stats of a removed endpoint: the same endpoint restored later starts clean', async () => {
    const { h, first, view } = await setup();
    const before = structuredClone(h.repository.stored);
    h.engine.recordOutcome('production', first, { kind: 'failure', detail: 'HTTP 502' });
    await h.engine.invoke('endpoint:remove', { config: 'production', endpoint_id: first });
    h.engine.adoptSettings(before); // e.g. another process restores it, same id, URL and key
    expect(view(first)?.stats.window).toBe(0);
    expect(view(first)?.health.consecutive_failures).toBe(0);
  });
});
