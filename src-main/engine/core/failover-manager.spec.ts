import { describe, expect, it } from 'vitest';
import { EngineHarness } from './testing/engine-harness.js';

// The seed's usage scenarios and its policy knobs, driven with a fake clock.
// Time: FakeClock.advanceSeconds; checks: outcomes reported as a probe or request would.

const THREE_TIERS = [
  { name: 'production', tier: 'primary', endpoints: 2 },
  { name: 'backup', tier: 'secondary', endpoints: 1 },
  { name: 'emergency', tier: 'fallback', endpoints: 1 },
] as const;

describe('scenario 1: all primary endpoints fail → the backup takes over', () => {
  it('switches only when every endpoint is out, records the event and notifies', async () => {
    const h = await EngineHarness.create({}, [...THREE_TIERS]);
    expect(h.engine.activeConfig).toBe('production');
    const [first, second] = h.endpointIds('production') as [string, string];

    for (let i = 0; i < 3; i++) h.engine.recordOutcome('production', first, { kind: 'failure', detail: 'HTTP 503', status: 503 });
    expect(h.status('production')).toBe('degraded');
    expect(h.engine.activeConfig).toBe('production');
    expect(h.eventTypes()).toEqual([]);

    for (let i = 0; i < 3; i++) h.engine.recordOutcome('production', second, { kind: 'failure', detail: 'HTTP 529 overloaded', status: 529 });
    expect(h.engine.activeConfig).toBe('backup');
    expect(h.recorded).toHaveLength(1);
    expect(h.recorded[0]).toMatchObject({ event_type: 'failover', from_config: 'production', to_config: 'backup', success: true });
    expect(h.recorded[0]?.reason).toContain('production');
    expect(h.notifier.notifications).toEqual([expect.objectContaining({ kind: 'failover', config: 'backup', event_id: h.recorded[0]?.event_id })]);
    expect(h.engine.plan().candidates[0]?.config).toBe('backup');
  });

  it("quotes the failures in a row the config could not absorb, not every endpoint's", async () => {
    const h = await EngineHarness.create({}, [...THREE_TIERS]);
    const [first, second] = h.endpointIds('production') as [string, string];
    for (let i = 0; i < 3; i++) h.engine.recordOutcome('production', first, { kind: 'failure', detail: 'HTTP 503', status: 503 });
    expect(h.engine.configHealth('production')).toMatchObject({ consecutive_failures: 0, last_failure: null });
    for (let i = 0; i < 3; i++) h.engine.recordOutcome('production', second, { kind: 'failure', detail: 'HTTP 503', status: 503 });
    expect(h.recorded[0]?.reason).toBe('production: all 2 endpoints are failing (3 consecutive failures)');

    const single = await EngineHarness.create({ failure_threshold: 1 }, [...THREE_TIERS.slice(1)]);
    single.kill('backup');
    expect(single.recorded[0]?.reason).toBe('backup: its endpoint is failing (1 consecutive failure)');

    // Its last serving endpoint disabled by the user: no failure of the config to quote.
    const edited = await EngineHarness.create({}, [...THREE_TIERS]);
    const [ejected, serving] = edited.endpointIds('production') as [string, string];
    for (let i = 0; i < 3; i++) edited.engine.recordOutcome('production', ejected, { kind: 'failure', detail: 'HTTP 503', status: 503 });
    await edited.engine.invoke('endpoint:update', { config: 'production', endpoint_id: serving, enabled: false });
    expect(edited.recorded[0]).toMatchObject({ event_type: 'failover', reason: 'production: its endpoint is failing' });
  });

  it('needs failure_threshold consecutive failures per endpoint', async () => {
    const h = await EngineHarness.create({ failure_threshold: 5 }, [...THREE_TIERS]);
    h.report('production', { kind: 'failure', detail: 'timeout' }, 4);
    h.succeed('production');
    h.report('production', { kind: 'failure', detail: 'timeout' }, 4);
    expect(h.engine.activeConfig).toBe('production');
    h.report('production', { kind: 'failure', detail: 'timeout' }, 1);
    expect(h.engine.activeConfig).toBe('backup');
  });

  it('fails over at once on a rejected key or a rate limit, without waiting for the threshold', async () => {
    const h = await EngineHarness.create({}, [
      { name: 'production', tier: 'primary', endpoints: 1 },
      { name: 'backup', tier: 'secondary', endpoints: 1 },
    ]);
    h.report('production', { kind: 'credential_rejected', status: 401 });
    expect(h.engine.activeConfig).toBe('backup');
    expect(h.notifier.kinds()).toEqual(['credential_rejected', 'failover']);
  });

  it('honours notify_on_failover = false but still records the event', async () => {
    const h = await EngineHarness.create({ notify_on_failover: false }, [...THREE_TIERS]);
    h.kill('production');
    expect(h.engine.activeConfig).toBe('backup');
    expect(h.eventTypes()).toEqual(['failover']);
    expect(h.notifier.notifications).toEqual([]);
  });

  it('with auto_failover off, stays on the dead config and plans only its endpoints', async () => {
    const h = await EngineHarness.create({ auto_failover_enabled: false }, [...THREE_TIERS]);
    h.kill('production');
    expect(h.engine.activeConfig).toBe('production');
    expect(new Set(h.engine.plan().candidates.map((c) => c.config))).toEqual(new Set(['production']));
  });
});

describe('scenario 2: multi-tier cascade', () => {
  it('walks primary → secondary → fallback, then reports all_down once', async () => {
    const h = await EngineHarness.create({}, [...THREE_TIERS]);
    h.kill('production');
    expect(h.engine.activeConfig).toBe('backup');
    h.kill('backup');
    expect(h.engine.activeConfig).toBe('emergency');
    h.kill('emergency');
    expect(h.engine.activeConfig).toBe('emergency');
    h.kill('emergency');
    expect(h.eventTypes()).toEqual(['failover', 'failover', 'all_down']);
    expect(h.notifier.kinds()).toEqual(['failover', 'failover', 'all_down']);
    expect(h.engine.snapshot().overall).toBe('all_down');
    // Panic mode: every endpoint is still tried.
    expect(h.engine.plan().candidates.length).toBe(4);
    expect(h.engine.plan().candidates.every((c) => c.panic)).toBe(true);
  });

  it('skips a tier that is already dead instead of stepping into it', async () => {
    const h = await EngineHarness.create({}, [...THREE_TIERS]);
    h.kill('backup');
    expect(h.engine.activeConfig).toBe('production');
    h.kill('production');
    expect(h.engine.activeConfig).toBe('emergency');
    expect(h.recorded.map((e) => [e.from_config, e.to_config])).toEqual([['production', 'emergency']]);
  });

  it('leaves all_down as soon as one config serves again', async () => {
    const h = await EngineHarness.create({ ejection_base_time: 10 }, [
      { name: 'production', tier: 'primary', endpoints: 1 },
      { name: 'backup', tier: 'secondary', endpoints: 1 },
    ]);
    h.kill('production');
    h.kill('backup');
    expect(h.engine.snapshot().overall).toBe('all_down');
    h.clock.advanceSeconds(10);
    h.succeed('production'); // a panic-mode request got through
    expect(h.engine.activeConfig).toBe('production');
    expect(h.eventTypes()).toEqual(['failover', 'all_down', 'failover']);
    expect(h.engine.snapshot().overall).toBe('ok');
  });
});

describe('scenario 3: recovery', () => {
  const PAIR = [
    { name: 'production', tier: 'primary', endpoints: 1 },
    { name: 'backup', tier: 'secondary', endpoints: 1 },
  ] as const;

  it('switches back only after 3 healthy checks, the recovery delay and the cooldown', async () => {
    const h = await EngineHarness.create({ auto_recovery_enabled: true, check_interval: 60 }, [...PAIR]);
    h.kill('production'); // t = 0: failover, production's last failure
    expect(h.engine.activeConfig).toBe('backup');

    h.clock.advanceSeconds(60);
    h.succeed('production'); // check 1
    h.clock.advanceSeconds(60);
    h.succeed('production'); // check 2
    expect(h.engine.activeConfig).toBe('backup');
    h.clock.advanceSeconds(60);
    h.succeed('production'); // check 3 at t = 180: threshold met, recovery_delay (600 s) not yet
    expect(h.engine.configHealth('production').consecutive_successes).toBe(3);
    expect(h.engine.activeConfig).toBe('backup');

    h.clock.advanceSeconds(600 - 180 - 1);
    h.engine.tick();
    expect(h.engine.activeConfig).toBe('backup');
    h.clock.advanceSeconds(1); // t = 600
    h.engine.tick();
    expect(h.engine.activeConfig).toBe('production');
    expect(h.recorded.at(-1)).toMatchObject({ event_type: 'recovery', from_config: 'backup', to_config: 'production' });
    expect(h.notifier.kinds()).toEqual(['failover', 'recovery']);
  });

  it('a failure during the checks starts the count over', async () => {
    const h = await EngineHarness.create({ auto_recovery_enabled: true, recovery_delay: 0, cooldown_period: 0 }, [...PAIR]);
    h.kill('production');
    h.clock.advanceSeconds(60);
    h.succeed('production', 2);
    h.report('production', { kind: 'failure', detail: 'HTTP 502', status: 502 });
    h.succeed('production', 2);
    expect(h.engine.activeConfig).toBe('backup');
    h.succeed('production');
    expect(h.engine.activeConfig).toBe('production');
  });

  it('waits out the cooldown after the last switch even when the checks are good', async () => {
    const h = await EngineHarness.create(
      { auto_recovery_enabled: true, recovery_delay: 0, cooldown_period: 300, ejection_base_time: 5 },
      [...PAIR],
    );
    h.kill('production');
    h.clock.advanceSeconds(10);
    h.succeed('production', 3);
    expect(h.engine.activeConfig).toBe('backup');
    h.clock.advanceSeconds(289); // t = 299
    h.engine.tick();
    expect(h.engine.activeConfig).toBe('backup');
    h.clock.advanceSeconds(1); // t = 300
    h.engine.tick();
    expect(h.engine.activeConfig).toBe('production');
  });

  it('never lets the cooldown hold traffic on a dead config', async () => {
    const h = await EngineHarness.create({ auto_recovery_enabled: true, recovery_delay: 0, cooldown_period: 3_600, ejection_base_time: 5 }, [...PAIR]);
    h.kill('production');
    h.clock.advanceSeconds(5);
    h.succeed('production');
    h.kill('backup'); // seconds after the last switch, well inside the cooldown
    expect(h.engine.activeConfig).toBe('production');
    expect(h.eventTypes()).toEqual(['failover', 'failover']);
  });

  it('returns to a degraded primary that serves, while its dead endpoint keeps failing its probes', async () => {
    // Defaults: success_threshold 3, recovery_delay 600 s, cooldown 300 s, ejection 30 s × n.
    const h = await EngineHarness.create({ auto_recovery_enabled: true }, [
      { name: 'production', tier: 'primary', endpoints: 2 },
      { name: 'backup', tier: 'secondary', endpoints: 1 },
    ]);
    // `alive` first: a check probes in order, so it is back before `dead` fails again.
    const [alive, dead] = h.endpointIds('production') as [string, string];
    h.prober.outcomes.set(dead, { kind: 'failure', detail: 'connect ECONNREFUSED' });
    const start = h.clock.now();
    h.kill('production'); // both endpoints out: the config's last failure is now
    expect(h.engine.activeConfig).toBe('backup');

    // A health check a minute apart: `alive` answers, `dead` fails every probe.
    for (let t = 60; t < 600; t += 60) {
      h.clock.advanceSeconds(60);
      await h.engine.invoke('health:check-now', { config: 'production' });
      h.engine.tick();
      expect(h.engine.activeConfig, `t = ${t}`).toBe('backup');
    }
    const waiting = h.engine.configHealth('production');
    expect(waiting).toMatchObject({ status: 'degraded', consecutive_successes: 9, last_failure: start });
    expect(h.prober.probed.filter((id) => id === dead)).toHaveLength(9);

    h.clock.advanceSeconds(60); // t = 600: recovery_delay since the config last could not serve
    await h.engine.invoke('health:check-now', { config: 'production' });
    expect(h.engine.activeConfig).toBe('production');
    expect(h.recorded.at(-1)).toMatchObject({ event_type: 'recovery', from_config: 'backup', to_config: 'production' });
    expect(h.engine.snapshot().overall).toBe('degraded');
    expect(h.engine.plan().candidates[0]?.endpoint.id).toBe(alive);
  });

  it('a single-endpoint config: every failure of its endpoint, ejecting or not, starts the count and the delay over', async () => {
    const h = await EngineHarness.create({ auto_recovery_enabled: true, cooldown_period: 0 }, [...PAIR]);
    h.kill('production');
    h.clock.advanceSeconds(60);
    h.succeed('production', 3);
    h.clock.advanceSeconds(40); // t = 100
    h.report('production', { kind: 'failure', detail: 'HTTP 502', status: 502 }); // below failure_threshold: still closed
    expect(h.status('production')).toBe('healthy');
    expect(h.engine.configHealth('production')).toMatchObject({ consecutive_successes: 0, consecutive_failures: 1, last_failure: h.clock.now() });
    h.clock.advanceSeconds(60);
    h.succeed('production', 3);
    h.clock.advanceSeconds(440); // t = 600: recovery_delay since the kill, not since the 502
    h.engine.tick();
    expect(h.engine.activeConfig).toBe('backup');
    h.clock.advanceSeconds(100); // t = 700
    h.engine.tick();
    expect(h.engine.activeConfig).toBe('production');
  });

  it('with auto_recovery off, tells the user once that the primary is ready and stays', async () => {
    const h = await EngineHarness.create({ recovery_delay: 0, cooldown_period: 0 }, [...PAIR]);
    h.kill('production');
    h.clock.advanceSeconds(60);
    h.succeed('production', 5);
    h.engine.tick();
    expect(h.engine.activeConfig).toBe('backup');
    expect(h.notifier.kinds()).toEqual(['failover', 'recovery_ready']);
    expect(h.notifier.notifications.at(-1)?.config).toBe('production');
  });

  it('honours notify_on_recovery = false', async () => {
    const h = await EngineHarness.create({ auto_recovery_enabled: true, recovery_delay: 0, cooldown_period: 0, notify_on_recovery: false }, [...PAIR]);
    h.kill('production');
    h.clock.advanceSeconds(60);
    h.succeed('production', 3);
    expect(h.engine.activeConfig).toBe('production');
    expect(h.notifier.kinds()).toEqual(['failover']);
  });
});

describe('flap damping: max_failovers_per_hour', () => {
  it('pauses automatic recovery past the limit, tells the user, still fails over, resumes after the hour', async () => {
    const h = await EngineHarness.create(
      { auto_recovery_enabled: true, recovery_delay: 0, cooldown_period: 0, success_threshold: 1, ejection_base_time: 1, max_failovers_per_hour: 2 },
      [
        { name: 'production', tier: 'primary', endpoints: 1 },
        { name: 'backup', tier: 'secondary', endpoints: 1 },
      ],
    );
    h.kill('production'); // switch 1 (failover)
    h.clock.advanceSeconds(60);
    h.succeed('production'); // switch 2 (recovery)
    expect(h.engine.activeConfig).toBe('production');
    h.clock.advanceSeconds(60);
    h.kill('production'); // switch 3: over the limit, but failover away from a dead config still happens
    expect(h.engine.activeConfig).toBe('backup');
    h.clock.advanceSeconds(60);
    h.succeed('production');
    expect(h.engine.activeConfig).toBe('backup');
    expect(h.eventTypes()).toEqual(['failover', 'recovery', 'failover', 'recovery_paused']);
    expect(h.notifier.kinds().filter((k) => k === 'flapping')).toHaveLength(1);
    h.succeed('production');
    expect(h.eventTypes().filter((t) => t === 'recovery_paused')).toHaveLength(1);

    // The first two switches (t = 0 and t = 60) leave the rolling hour at t = 3660.
    h.clock.advanceSeconds(3_660 - 180);
    h.engine.tick();
    expect(h.engine.activeConfig).toBe('production');
    expect(h.eventTypes().at(-1)).toBe('recovery');
  });
});

describe('manual switch and pin', () => {
  const PAIR = [
    { name: 'production', tier: 'primary', endpoints: 1 },
    { name: 'backup', tier: 'secondary', endpoints: 1 },
  ] as const;

  it('records a manual event with the reason and pins against recovery until unpinned', async () => {
    const h = await EngineHarness.create({ auto_recovery_enabled: true, recovery_delay: 0, cooldown_period: 0 }, [...PAIR]);
    h.succeed('production', 5);
    const result = await h.engine.invoke('failover:switch', { name: 'backup', reason: 'primary maintenance' });
    expect(result.switched).toBe(true);
    expect(result.event).toMatchObject({ event_type: 'manual', from_config: 'production', to_config: 'backup', reason: 'primary maintenance' });
    expect(h.engine.snapshot()).toMatchObject({ active_config: 'backup', pinned: true });

    h.succeed('production', 5);
    h.engine.tick();
    expect(h.engine.activeConfig).toBe('backup');

    await h.engine.invoke('failover:unpin', {});
    expect(h.engine.activeConfig).toBe('production');
    expect(h.eventTypes()).toEqual(['manual', 'recovery']);
  });

  it('fails over from a pinned config that dies and clears the pin', async () => {
    const h = await EngineHarness.create({}, [...PAIR]);
    await h.engine.invoke('failover:switch', { name: 'backup', reason: 'testing backup' });
    h.kill('backup');
    expect(h.engine.snapshot()).toMatchObject({ active_config: 'production', pinned: false });
  });

  it('persists the active config and the pin', async () => {
    const h = await EngineHarness.create({}, [...PAIR]);
    await h.engine.invoke('failover:switch', { name: 'backup', reason: 'x' });
    await h.engine.whenPersisted();
    expect(h.repository.stored).toMatchObject({ active_config: 'backup', pinned: true });
  });

  it('refuses to switch to a dead config while another serves, allows it when all are down', async () => {
    const h = await EngineHarness.create({}, [...PAIR]);
    h.kill('backup');
    await expect(h.engine.invoke('failover:switch', { name: 'backup' })).rejects.toMatchObject({
      code: 'failed_precondition',
      message: expect.stringContaining('unhealthy'),
    });
    expect(h.engine.activeConfig).toBe('production');
    h.kill('production');
    await h.engine.invoke('failover:switch', { name: 'backup', reason: 'try this one first' });
    expect(h.engine.snapshot()).toMatchObject({ active_config: 'backup', pinned: true });
  });

  it('refuses unknown configs and configs that cannot serve', async () => {
    const h = await EngineHarness.create({}, [...PAIR, { name: 'parked', tier: 'disabled', endpoints: 1 }]);
    await expect(h.engine.invoke('failover:switch', { name: 'nope' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.engine.invoke('failover:switch', { name: 'parked' })).rejects.toMatchObject({ code: 'failed_precondition' });
  });
});

describe('history and restarts', () => {
  it('history survives a restart, newest first, and restores the cooldown', async () => {
    const PAIR = [
      { name: 'production', tier: 'primary', endpoints: 1 },
      { name: 'backup', tier: 'secondary', endpoints: 1 },
    ] as const;
    const first = await EngineHarness.create({ auto_recovery_enabled: true, recovery_delay: 0, cooldown_period: 300 }, [...PAIR]);
    first.kill('production');
    first.clock.advanceSeconds(30); // ejection over
    first.succeed('production');
    await first.engine.invoke('failover:switch', { name: 'production', reason: 'back by hand' });
    await first.engine.invoke('failover:switch', { name: 'backup', reason: 'and away again' });
    await first.engine.invoke('failover:unpin', {});
    await first.engine.whenPersisted();

    const second = await EngineHarness.create({}, [], first);
    expect(second.engine.activeConfig).toBe('backup');
    const history = await second.engine.invoke('history:query', {});
    expect(history.map((e) => e.event_type)).toEqual(['manual', 'manual', 'failover']);
    expect(history[0]?.reason).toBe('and away again');
    const manualOnly = await second.engine.invoke('history:query', { event_types: ['failover'], limit: 5 });
    expect(manualOnly).toHaveLength(1);

    // The restarted engine still honours the cooldown of the last switch.
    second.succeed('production', 3);
    expect(second.engine.activeConfig).toBe('backup');
    second.clock.advanceSeconds(300);
    second.engine.tick();
    expect(second.engine.activeConfig).toBe('production');
  });
});

describe('reconfiguration never causes an outage', () => {
  it('reordering keeps the active config; the next decision uses the new order', async () => {
    const h = await EngineHarness.create({}, [...THREE_TIERS]);
    await h.engine.invoke('priority:move', { name: 'emergency', tier: 'primary', index: 0 });
    expect(h.engine.activeConfig).toBe('production');
    h.kill('production');
    expect(h.engine.activeConfig).toBe('emergency');
  });

  it('removing or disabling the active config reassigns to the best remaining one', async () => {
    const h = await EngineHarness.create({}, [...THREE_TIERS]);
    await h.engine.invoke('priority:set-tier-enabled', { tier: 'primary', enabled: false });
    expect(h.engine.activeConfig).toBe('backup');
    await h.engine.invoke('config:remove', { name: 'backup' });
    expect(h.engine.activeConfig).toBe('emergency');
    expect(h.recorded.map((e) => [e.event_type, e.from_config, e.to_config])).toEqual([
      ['reassigned', 'production', 'backup'],
      ['reassigned', 'backup', 'emergency'],
    ]);
  });
});

describe('all down is always announced', () => {
  it('notifies all_down even with notify_on_failover off', async () => {
    const h = await EngineHarness.create({ notify_on_failover: false }, [{ name: 'production', tier: 'primary', endpoints: 1 }]);
    h.kill('production');
    expect(h.notifier.kinds()).toEqual(['all_down']);
  });
});
