import { afterEach, describe, expect, it } from 'vitest';
import type { FailoverPolicyPatch } from '../../../src-shared/model/policy.js';
import type { Tier } from '../../../src-shared/model/tier.js';
import { FakeAnthropic } from '../../fake-upstream/fake-anthropic.js';
import { Engine } from '../core/engine.js';
import { FakeClock, MemoryEventLog, MemorySettingsRepository, RecordingNotifier, SequentialIds } from '../core/testing/fakes.js';
import { HealthMonitor, type CycleReport, type MonitorTimers, type ProbeRecord } from './health-monitor.js';
import { HttpProber } from './http-prober.js';

// The health monitor with a real engine, the real HTTP prober and fake
// Anthropic upstreams on loopback. Its timers and the engine's clock are
// driven by hand, so minutes of checks take milliseconds and never race.

/** Timers under the test's control; moving them moves the engine's clock in step. */
class ManualTimers implements MonitorTimers {
  private now = 0;
  private seq = 0;
  private readonly pending = new Map<number, { at: number; callback: () => void }>();
  readonly unrefed = new Set<number>();
  created = 0;

  constructor(private readonly clock: FakeClock) {}

  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.created += 1;
    this.pending.set(id, { at: this.now + ms, callback });
    return { id, unref: () => this.unrefed.add(id) };
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete((handle as { id: number }).id);
  }

  /** Delays still pending, from now. */
  delays(): number[] {
    return [...this.pending.values()].map((timer) => timer.at - this.now).sort((a, b) => a - b);
  }

  get size(): number {
    return this.pending.size;
  }

  /** Runs every timer due within `ms`, in order, moving the clock to each one's time. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, timer]) => timer.at <= until).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!due) break;
      const [id, timer] = due;
      this.pending.delete(id);
      this.moveTo(timer.at);
      timer.callback();
    }
    this.moveTo(until);
  }

  private moveTo(at: number): void {
    this.clock.advance(at - this.now);
    this.now = at;
  }
}

interface Spec {
  name: string;
  tier: Tier;
  endpoints: number;
}

const KEY = (name: string) => `sk-ant-${name}-probe-key-0000000000`;

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function setup(specs: Spec[], policy: FailoverPolicyPatch = {}, random = () => 0.5) {
  const clock = new FakeClock();
  const notifier = new RecordingNotifier();
  const events = new MemoryEventLog();
  const prober = new HttpProber();
  const engine = await Engine.start({ clock, ids: new SequentialIds(), settings: new MemorySettingsRepository(), events, notifier, prober });
  await engine.invoke('policy:update', { check_interval: 60, failure_threshold: 3, ejection_base_time: 30, ejection_max_time: 300, ...policy });
  const upstreams = new Map<string, FakeAnthropic>();
  for (const spec of specs) {
    const endpoints = [];
    for (let i = 0; i < spec.endpoints; i++) {
      const name = `${spec.name}-${i}`;
      const upstream = await FakeAnthropic.start({ name, apiKey: KEY(name) });
      upstreams.set(name, upstream);
      endpoints.push({ base_url: upstream.url, api_key: KEY(name) });
    }
    await engine.invoke('config:add', { name: spec.name, tier: spec.tier, endpoints });
  }
  const timers = new ManualTimers(clock);
  const monitor = new HealthMonitor({ engine, prober, timers, random });
  cleanup.push(async () => {
    await monitor.stop();
    await prober.close();
    await Promise.all([...upstreams.values()].map((upstream) => upstream.stop()));
  });

  const upstream = (name: string): FakeAnthropic => {
    const found = upstreams.get(name);
    if (!found) throw new Error(`no upstream ${name}`);
    return found;
  };
  const endpointId = (name: string): string => {
    const config = name.slice(0, name.lastIndexOf('-'));
    const index = Number(name.slice(name.lastIndexOf('-') + 1));
    const id = engine.snapshot().tiers.flatMap((t) => t.configs).find((c) => c.name === config)?.endpoints[index]?.id;
    if (!id) throw new Error(`no endpoint ${name}`);
    return id;
  };
  const endpoint = (name: string) => {
    const id = endpointId(name);
    const view = engine.snapshot().tiers.flatMap((t) => t.configs).flatMap((c) => c.endpoints).find((e) => e.id === id);
    if (!view) throw new Error(`no endpoint ${name}`);
    return view;
  };
  const probesTo = (name: string) => upstream(name).received.length;
  /** Fires the timers due within `ms` and waits for the check they start. */
  const cycleAfter = async (ms: number): Promise<CycleReport> => {
    const next = monitor.nextCycle();
    timers.advance(ms);
    return next;
  };
  const nextProbe = () => new Promise<ProbeRecord>((resolve) => {
    const off = monitor.onProbe((record) => {
      off();
      resolve(record);
    });
  });
  return { clock, engine, events, notifier, prober, timers, monitor, upstream, endpointId, endpoint, probesTo, cycleAfter, nextProbe };
}

const PAIR: Spec[] = [
  { name: 'production', tier: 'primary', endpoints: 2 },
  { name: 'backup', tier: 'secondary', endpoints: 1 },
];

describe('periodic checks', () => {
  it('probe every enabled endpoint of every serving config once, and feed the breakers and stats', async () => {
    const t = await setup([...PAIR, { name: 'spare', tier: 'disabled', endpoints: 1 }]);
    const report = await t.monitor.runCycle();
    expect(report.probes.map((p) => `${p.config}/${p.endpoint_id}:${p.outcome.kind}`).sort()).toEqual(
      [`production/${t.endpointId('production-0')}:success`, `production/${t.endpointId('production-1')}:success`, `backup/${t.endpointId('backup-0')}:success`].sort(),
    );
    for (const name of ['production-0', 'production-1', 'backup-0']) {
      expect(t.upstream(name).received.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /v1/models']);
      expect(t.endpoint(name).health).toMatchObject({ state: 'closed', consecutive_successes: 1, last_success: t.clock.now() });
      expect(t.endpoint(name).stats).toMatchObject({ success_rate: 1, window: 1, latency_p50_ms: expect.any(Number) });
    }
    expect(t.probesTo('spare-0')).toBe(0);
    expect(t.engine.configHealth('production').status).toBe('healthy');
    expect(t.monitor.lastCycleAt).not.toBeNull();
  });

  it('skip an endpoint that served traffic within the interval, and probe it again once the interval has passed', async () => {
    const t = await setup(PAIR);
    t.engine.recordOutcome('production', t.endpointId('production-0'), { kind: 'success', latency_ms: 30 });
    t.monitor.start();
    await t.cycleAfter(0);
    expect(t.probesTo('production-0')).toBe(0);
    expect(t.probesTo('production-1')).toBe(1);
    await t.cycleAfter(60_000);
    expect(t.probesTo('production-0')).toBe(1);
    expect(t.probesTo('production-1')).toBe(2);
  });

  it('fail the config over after failure_threshold failed checks of a dead upstream, then keep checking it', async () => {
    const t = await setup([
      { name: 'production', tier: 'primary', endpoints: 1 },
      { name: 'backup', tier: 'secondary', endpoints: 1 },
    ]);
    await t.upstream('production-0').setFault({ kind: 'refuse' });
    t.monitor.start();
    await t.cycleAfter(0);
    await t.cycleAfter(60_000);
    expect(t.engine.activeConfig).toBe('production');
    expect(t.endpoint('production-0').health).toMatchObject({ state: 'closed', consecutive_failures: 2, last_error: 'ECONNREFUSED' });

    await t.cycleAfter(60_000);
    expect(t.engine.activeConfig).toBe('backup');
    expect(t.endpoint('production-0').health).toMatchObject({ state: 'open', ejection_cause: 'failures' });
    expect(t.endpoint('production-0').stats).toMatchObject({ success_rate: 0, total: { successes: 0, failures: 3 } });
    await t.engine.whenPersisted();
    expect(t.events.events.map((e) => `${e.event_type}:${e.from_config}->${e.to_config}`)).toEqual(['failover:production->backup']);
  });

  it('re-read check_interval from the policy for every check, with ±10 % jitter', async () => {
    const randoms = [0.5, 0, 0.999_999, 0.5];
    const t = await setup(PAIR, {}, () => randoms.shift() ?? 0.5);
    t.monitor.start();
    const cycleDelay = () => t.timers.delays().find((delay) => delay > 1_000);
    await t.cycleAfter(0);
    expect(cycleDelay()).toBe(60_000); // random 0.5: no jitter
    await t.cycleAfter(60_000);
    expect(cycleDelay()).toBe(54_000); // random 0: −10 %
    await t.engine.invoke('policy:update', { check_interval: 120 });
    await t.cycleAfter(54_000);
    expect(cycleDelay()).toBe(132_000); // new interval, random ~1: +10 %
    // A check only 54 s after the last one still probed everything: probe successes are not traffic.
    expect(['production-0', 'production-1', 'backup-0'].map(t.probesTo)).toEqual([3, 3, 3]);
  });

  it('drive engine.tick() every second, with unref’d timers', async () => {
    const t = await setup(PAIR, {}, () => 0.5);
    let ticks = 0;
    const tick = t.engine.tick.bind(t.engine);
    t.engine.tick = () => {
      ticks += 1;
      tick();
    };
    t.monitor.start();
    await t.cycleAfter(0);
    const before = ticks;
    t.timers.advance(5_000);
    expect(ticks - before).toBe(5);
    expect(t.timers.unrefed.size).toBe(t.timers.created);
  });

  it('never probe an endpoint twice at once: an overlapping check skips what is still being probed', async () => {
    const t = await setup([{ name: 'production', tier: 'primary', endpoints: 2 }]);
    await t.upstream('production-0').setFault({ kind: 'slow_first_byte', delayMs: 300 }, { times: 1 });
    const slow = t.monitor.runCycle();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const overlapping = await t.monitor.runCycle();
    expect(overlapping.probes.map((p) => p.endpoint_id)).toEqual([t.endpointId('production-1')]);
    expect((await slow).probes).toHaveLength(2);
    expect(t.probesTo('production-0')).toBe(1);
  });
});

describe('settings changes', () => {
  it('checks a newly added endpoint at once instead of at the next interval', async () => {
    const t = await setup(PAIR);
    t.monitor.start();
    await t.cycleAfter(0);
    const extra = await FakeAnthropic.start({ name: 'late-0', apiKey: KEY('late-0') });
    const probed = t.nextProbe();
    await t.engine.invoke('config:add', { name: 'late', tier: 'fallback', endpoints: [{ base_url: extra.url, api_key: KEY('late-0') }] });
    const record = await probed;
    expect(record).toMatchObject({ config: 'late', reason: 'new', outcome: { kind: 'success' } });
    expect(extra.received.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /v1/models']);
    await extra.stop();
  });

  it('applies a shorter check_interval at once, not after the old, longer wait', async () => {
    const t = await setup(PAIR, { check_interval: 600 });
    t.monitor.start();
    await t.cycleAfter(0);
    expect(t.timers.delays().find((delay) => delay > 1_000)).toBe(600_000);
    await t.engine.invoke('policy:update', { check_interval: 10 });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(t.timers.delays().find((delay) => delay > 1_000)).toBe(10_000);
  });
});

describe('ejection expiry', () => {
  it('probes an ejected endpoint the moment its ejection expires, and closes it when the probe succeeds', async () => {
    const t = await setup(PAIR, { failure_threshold: 1, ejection_base_time: 30 });
    await t.upstream('production-0').setFault({ kind: 'refuse' });
    t.monitor.start();
    await t.cycleAfter(0);
    expect(t.endpoint('production-0').health).toMatchObject({ state: 'open', ejected_until: t.clock.now() + 30_000 });
    await t.upstream('production-0').clearFault();

    t.timers.advance(29_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(t.probesTo('production-0')).toBe(0); // ejected: not probed before expiry

    const probed = t.nextProbe();
    t.timers.advance(1_000);
    const record = await probed;
    expect(record).toMatchObject({ config: 'production', endpoint_id: t.endpointId('production-0'), reason: 'half_open', outcome: { kind: 'success' } });
    expect(t.probesTo('production-0')).toBe(1);
    expect(t.endpoint('production-0').health).toMatchObject({ state: 'closed' });
    expect(t.engine.configHealth('production').status).toBe('healthy');
  });

  it('re-ejects, for longer, an endpoint whose expiry probe fails', async () => {
    const t = await setup(PAIR, { failure_threshold: 1, ejection_base_time: 30 });
    await t.upstream('production-0').setFault({ kind: 'status', status: 503 });
    t.monitor.start();
    await t.cycleAfter(0);
    const probed = t.nextProbe();
    t.timers.advance(30_000);
    expect((await probed).outcome).toMatchObject({ kind: 'failure', status: 503 });
    expect(t.endpoint('production-0').health).toMatchObject({ state: 'open', ejection_count: 2, ejected_until: t.clock.now() + 60_000 });
  });

  it('probes a rejected key at every check until the key works again', async () => {
    const t = await setup(PAIR);
    await t.upstream('backup-0').setFault({ kind: 'unauthorized' });
    t.monitor.start();
    await t.cycleAfter(0);
    expect(t.endpoint('backup-0').health).toMatchObject({ state: 'open', credential_rejected: true, ejected_until: null });
    expect(t.notifier.kinds()).toEqual(['credential_rejected']);
    await t.cycleAfter(60_000);
    expect(t.probesTo('backup-0')).toBe(2);
    expect(t.notifier.kinds()).toEqual(['credential_rejected']); // told once
    await t.upstream('backup-0').clearFault();
    await t.cycleAfter(60_000);
    expect(t.endpoint('backup-0').health).toMatchObject({ state: 'closed', credential_rejected: false });
  });
});

describe('stop', () => {
  it('leaves no timers, stops reacting to expiries, and runs no more checks', async () => {
    const t = await setup(PAIR, { failure_threshold: 1 });
    await t.upstream('production-0').setFault({ kind: 'refuse' });
    t.monitor.start();
    await t.cycleAfter(0);
    expect(t.timers.size).toBe(2); // the next check and the next tick
    await t.monitor.stop();
    expect(t.timers.size).toBe(0);
    expect(t.monitor.isRunning).toBe(false);

    const before = t.upstream('production-1').received.length;
    t.clock.advance(120_000);
    t.engine.tick(); // production-0's ejection expires with nobody listening
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(t.upstream('production-1').received.length).toBe(before);
    expect(t.endpoint('production-0').health.state).toBe('half_open');
  });

  it('does not wait for a hung probe, and does not record its outcome', async () => {
    const t = await setup([{ name: 'production', tier: 'primary', endpoints: 1 }], { first_byte_timeout_ms: 60_000 });
    await t.upstream('production-0').setFault({ kind: 'hang' });
    t.monitor.start();
    const cycle = t.monitor.nextCycle();
    t.timers.advance(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(t.probesTo('production-0')).toBe(1); // in flight, unanswered
    const started = performance.now();
    await t.monitor.stop();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect((await cycle).probes).toEqual([]);
    expect(t.endpoint('production-0').health).toMatchObject({ consecutive_failures: 0, last_error: null });
    expect(t.endpoint('production-0').stats.window).toBe(0);
  });
});
