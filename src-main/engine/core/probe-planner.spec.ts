import { describe, expect, it } from 'vitest';
import type { AttemptOutcome } from './outcome.js';
import type { ProbeTarget } from './ports.js';
import { runProbes } from './probe-planner.js';
import { EngineHarness } from './testing/engine-harness.js';

// architecture.md §4.5: which endpoints a periodic health check probes.
// Driven through Engine.probeTargets(), over real breakers and a fake clock.

const OK: AttemptOutcome = { kind: 'success', latency_ms: 20 };
const FAIL: AttemptOutcome = { kind: 'failure', detail: 'connect ECONNREFUSED' };
const INTERVAL = 60;

async function setup() {
  const h = await EngineHarness.create({ check_interval: INTERVAL, failure_threshold: 2, ejection_base_time: 30, ejection_max_time: 300 }, [
    { name: 'production', tier: 'primary', endpoints: 2 },
    { name: 'backup', tier: 'secondary', endpoints: 1 },
    { name: 'emergency', tier: 'fallback', endpoints: 1 },
  ]);
  const ids = (name: string) => h.endpointIds(name);
  const planned = () => h.engine.probeTargets().map((target) => `${target.config}/${target.endpoint.id}`);
  const key = (config: string, index: number) => `${config}/${ids(config)[index]}`;
  const everything = () => [key('production', 0), key('production', 1), key('backup', 0), key('emergency', 0)];
  return { h, ids, planned, key, everything };
}

describe('probe planning', () => {
  it('probes every enabled endpoint of every serving config, in serving order, with its config’s probe settings', async () => {
    const { h, planned, everything } = await setup();
    await h.engine.invoke('config:update', { name: 'backup', message_probe: { model: 'claude-haiku-4-5' } });
    expect(planned()).toEqual(everything());
    const backup = h.engine.probeTargets().find((target) => target.config === 'backup');
    expect(backup?.message_probe).toEqual({ model: 'claude-haiku-4-5' });
    expect(backup?.policy.check_interval).toBe(INTERVAL);
    expect(backup?.endpoint.api_key).toBe('sk-ant-backup-0-0123456789abcdef');
  });

  it('skips an endpoint that served traffic successfully within check_interval, until the interval has passed', async () => {
    const { h, ids, planned, key, everything } = await setup();
    const [p0] = ids('production') as [string];
    h.engine.recordOutcome('production', p0, OK);
    expect(planned()).not.toContain(key('production', 0));
    h.clock.advanceSeconds(INTERVAL - 1);
    expect(planned()).not.toContain(key('production', 0));
    h.clock.advanceSeconds(1);
    expect(planned()).toEqual(everything());
  });

  it('does not count its own probe successes as traffic: an idle endpoint is probed every interval', async () => {
    const { h, ids, planned, key } = await setup();
    const [p0] = ids('production') as [string];
    h.engine.recordOutcome('production', p0, OK, 'probe');
    h.clock.advanceSeconds(INTERVAL * 0.9); // a jittered, slightly short interval
    expect(planned()).toContain(key('production', 0));
  });

  it('probes an endpoint whose traffic failed after its last success', async () => {
    const { h, ids, planned, key } = await setup();
    const [p0] = ids('production') as [string];
    h.engine.recordOutcome('production', p0, OK);
    h.engine.recordOutcome('production', p0, FAIL); // one failure: still closed (threshold 2)
    expect(planned()).toContain(key('production', 0));
  });

  it('leaves an endpoint ejected until a future time alone, and probes it once the ejection has expired', async () => {
    const { h, ids, planned, key } = await setup();
    const [p0] = ids('production') as [string];
    h.engine.recordOutcome('production', p0, FAIL);
    h.engine.recordOutcome('production', p0, FAIL); // ejected for 30 s
    expect(planned()).not.toContain(key('production', 0));
    h.clock.advanceSeconds(29);
    expect(planned()).not.toContain(key('production', 0));
    h.clock.advanceSeconds(1);
    expect(planned()).toContain(key('production', 0)); // half-open now
    const view = h.engine.snapshot().tiers[0]?.configs[0]?.endpoints[0];
    expect(view?.health.state).toBe('half_open');
  });

  it('turns an expired ejection half-open while planning, and tells listeners', async () => {
    const { h, ids } = await setup();
    const [p0] = ids('production') as [string];
    h.engine.recordOutcome('production', p0, { kind: 'rate_limited', retry_after_ms: 5_000 });
    const transitions: string[] = [];
    h.engine.on('health:changed', (t) => transitions.push(`${t.endpoint_id}:${t.to}`));
    h.clock.advance(5_000);
    h.engine.probeTargets();
    expect(transitions).toEqual([`${p0}:half_open`]);
  });

  it('skips a rate-limited endpoint until its retry-after', async () => {
    const { h, ids, planned, key } = await setup();
    const [, p1] = ids('production') as [string, string];
    h.engine.recordOutcome('production', p1, { kind: 'rate_limited', retry_after_ms: 120_000 });
    h.clock.advanceSeconds(INTERVAL);
    expect(planned()).not.toContain(key('production', 1));
    h.clock.advanceSeconds(INTERVAL);
    expect(planned()).toContain(key('production', 1));
  });

  it('probes an endpoint with a rejected key at every check, however long ago: only a success clears it', async () => {
    const { h, ids, planned, key } = await setup();
    const [b0] = ids('backup') as [string];
    h.engine.recordOutcome('backup', b0, { kind: 'credential_rejected', status: 401 });
    expect(planned()).toContain(key('backup', 0));
    h.clock.advanceSeconds(86_400);
    expect(planned()).toContain(key('backup', 0));
  });

  it('leaves out disabled endpoints, configs in the disabled tier and configs of a turned-off tier', async () => {
    const { h, ids, planned, key } = await setup();
    const [, p1] = ids('production') as [string, string];
    await h.engine.invoke('endpoint:update', { config: 'production', endpoint_id: p1, enabled: false });
    await h.engine.invoke('priority:move', { name: 'emergency', tier: 'disabled' });
    expect(planned()).toEqual([key('production', 0), key('backup', 0)]);
    await h.engine.invoke('priority:set-tier-enabled', { tier: 'secondary', enabled: false });
    expect(planned()).toEqual([key('production', 0)]);
  });

  it('gives the probe for one endpoint only while it can serve', async () => {
    const { h, ids } = await setup();
    const [p0, p1] = ids('production') as [string, string];
    expect(h.engine.probeTarget('production', p0)).toMatchObject({ config: 'production', endpoint: { id: p0 }, message_probe: null });
    expect(h.engine.probeTarget('production', 'ep-999')).toBeNull();
    expect(h.engine.probeTarget('nope', p0)).toBeNull();
    await h.engine.invoke('endpoint:update', { config: 'production', endpoint_id: p1, enabled: false });
    expect(h.engine.probeTarget('production', p1)).toBeNull();
    await h.engine.invoke('priority:move', { name: 'production', tier: 'disabled' });
    expect(h.engine.probeTarget('production', p0)).toBeNull();
  });

  it('names the renamed config in transitions of an endpoint ejected before the rename', async () => {
    const { h, ids } = await setup();
    const [p0] = ids('production') as [string];
    h.engine.recordOutcome('production', p0, FAIL);
    h.engine.recordOutcome('production', p0, FAIL);
    await h.engine.invoke('config:update', { name: 'production', new_name: 'prod' });
    const seen: string[] = [];
    h.engine.on('health:changed', (t) => seen.push(`${t.config}:${t.to}`));
    h.clock.advanceSeconds(30);
    h.engine.tick();
    expect(seen).toEqual(['prod:half_open']);
    expect(h.engine.probeTarget('prod', p0)).not.toBeNull();
  });
});

describe('health:check-now', () => {
  it('still probes every enabled endpoint, even ones that served traffic or are ejected, and records them as probes', async () => {
    const { h, ids } = await setup();
    const [p0, p1] = ids('production') as [string, string];
    h.engine.recordOutcome('production', p0, OK);
    h.engine.recordOutcome('production', p1, FAIL);
    h.engine.recordOutcome('production', p1, FAIL);
    await h.engine.invoke('health:check-now', {});
    expect(h.prober.probed.sort()).toEqual([...ids('production'), ...ids('backup'), ...ids('emergency')].sort());
    // Its successes are probes, not traffic: the next periodic check still covers p1 (p0 served traffic).
    h.clock.advanceSeconds(INTERVAL / 2);
    const next = h.engine.probeTargets().map((t) => t.endpoint.id);
    expect(next).toContain(p1);
    expect(next).not.toContain(p0);
  });
});

describe('runProbes', () => {
  const targets = (n: number): ProbeTarget[] =>
    Array.from({ length: n }, (_, i) => ({ config: 'c', endpoint: { id: `ep-${i}` }, message_probe: null }) as unknown as ProbeTarget);

  it('keeps at most `concurrency` probes in flight and records each as it arrives', async () => {
    let inFlight = 0;
    let peak = 0;
    const recorded: string[] = [];
    await runProbes(
      targets(20),
      async (target) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        inFlight -= 1;
        return target.endpoint.id === 'ep-3' ? FAIL : OK;
      },
      (target, outcome) => recorded.push(`${target.endpoint.id}:${outcome.kind}`),
      { concurrency: 4 },
    );
    expect(peak).toBe(4);
    expect(recorded).toHaveLength(20);
    expect(recorded).toContain('ep-3:failure');
  });

  it('turns a throwing prober into a failure outcome and carries on', async () => {
    const recorded: AttemptOutcome[] = [];
    await runProbes(
      targets(3),
      async (target) => {
        if (target.endpoint.id === 'ep-1') throw new Error('socket exploded');
        return OK;
      },
      (_target, outcome) => recorded.push(outcome),
    );
    expect(recorded).toHaveLength(3);
    expect(recorded).toContainEqual({ kind: 'failure', detail: 'probe failed: socket exploded' });
  });

  it('starts nothing more once cancelled', async () => {
    let started = 0;
    let cancelled = false;
    await runProbes(
      targets(10),
      async () => {
        started += 1;
        if (started === 2) cancelled = true;
        return OK;
      },
      () => undefined,
      { concurrency: 1, cancelled: () => cancelled },
    );
    expect(started).toBe(2);
  });
});
