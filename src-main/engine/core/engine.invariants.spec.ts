import { describe, expect, it } from 'vitest';
import type { FailoverEvent } from '../../../src-shared/model/event.js';
import { SERVING_TIERS, TIERS } from '../../../src-shared/model/tier.js';
import type { AttemptOutcome } from './outcome.js';
import { EngineHarness } from './testing/engine-harness.js';
import { seededRandom as random } from './testing/seeded-random.js';

// Randomized runs over outcomes, clock advances and user actions, with fixed
// seeds so a failure reproduces. After every step the failover invariants of
// architecture.md §4 must hold.

const SEEDS = Array.from({ length: 24 }, (_, i) => 1_000 + i * 7_919);
const STEPS = 2_500;
const HOUR_MS = 3_600_000;


describe('failover invariants under random traffic', () => {
  it.each(SEEDS)('seed %i', async (seed) => {
    const rand = random(seed);
    const int = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;

    const configs = Array.from({ length: int(2, 5) }, (_, i) => ({
      name: `c${i}`,
      tier: pick(rand() < 0.9 ? SERVING_TIERS : TIERS),
      endpoints: int(1, 3),
    }));
    const maxPerHour = int(2, 5);
    const h = await EngineHarness.create(
      {
        auto_recovery_enabled: rand() < 0.7,
        failure_threshold: int(1, 3),
        success_threshold: int(1, 3),
        cooldown_period: pick([0, 30, 120]),
        recovery_delay: pick([0, 60, 300]),
        ejection_base_time: pick([5, 30]),
        ejection_max_time: 300,
        max_failovers_per_hour: maxPerHour,
      },
      configs,
    );
    const { engine, clock } = h;

    // Invariant 3's raw material: every automatic switch, with whether its source was dead.
    const switches: { at: number; event: FailoverEvent; fromWasDead: boolean }[] = [];
    engine.on('history:appended', (event) => {
      if (event.event_type !== 'failover' && event.event_type !== 'recovery') return;
      const fromWasDead = event.from_config !== null && engine.configHealth(event.from_config).status === 'unhealthy';
      switches.push({ at: clock.now(), event, fromWasDead });
    });

    const outcomes: AttemptOutcome[] = [
      { kind: 'success', latency_ms: 10 },
      { kind: 'success', latency_ms: 10 },
      { kind: 'failure', detail: 'HTTP 503', status: 503 },
      { kind: 'failure', detail: 'connect ECONNREFUSED' },
      { kind: 'rate_limited', retry_after_ms: 20_000 },
      { kind: 'credential_rejected', status: 401 },
      { kind: 'neutral' },
    ];

    for (let step = 0; step < STEPS; step++) {
      const roll = rand();
      const names = configs.map((c) => c.name);
      if (roll < 0.55) {
        const name = pick(names);
        const ids = h.endpointIds(name);
        if (ids.length > 0) engine.recordOutcome(name, pick(ids), pick(outcomes));
      } else if (roll < 0.8) {
        clock.advance(int(0, 120_000));
        engine.tick();
      } else if (roll < 0.93) {
        const plan = engine.plan();
        const states = plan.candidates.map((c) => engine.snapshot().tiers.flatMap((t) => t.configs).find((v) => v.name === c.config)?.endpoints.find((e) => e.id === c.endpoint.id)?.health.state);
        // Invariant 1: no ejected endpoint before a non-ejected one.
        const firstEjected = states.indexOf('open');
        if (firstEjected !== -1) expect(states.slice(firstEjected).every((s) => s === 'open'), `seed ${seed} step ${step}: ${states.join(',')}`).toBe(true);
        // Every candidate serves: no disabled endpoint, no config outside the serving tiers.
        const serving = new Set(engine.snapshot().tiers.filter((t) => t.enabled).flatMap((t) => t.configs.map((c) => c.name)));
        for (const candidate of plan.candidates) {
          expect(candidate.endpoint.enabled).toBe(true);
          expect(serving.has(candidate.config)).toBe(true);
        }
      } else if (roll < 0.96) {
        // The snapshot's switch_refusal (what the tray greys out) says exactly what the command does.
        const name = pick(names);
        const refusal = engine.snapshot().tiers.flatMap((t) => t.configs).find((c) => c.name === name)?.switch_refusal;
        const outcome = await engine.invoke('failover:switch', { name, reason: 'random' }).then(
          () => null,
          (error: { code?: string; message: string }) => {
            expect(['failed_precondition']).toContain(error.code);
            return error.message;
          },
        );
        expect(outcome, `seed ${seed} step ${step}: switch to ${name}`).toBe(refusal);
      } else if (roll < 0.98) {
        await engine.invoke('failover:unpin', {});
      } else {
        await engine.invoke('priority:move', { name: pick(names), tier: pick(SERVING_TIERS), index: int(0, 4) });
      }

      // Invariant 2: with auto_failover on, the active config is never unhealthy while another can serve.
      const snapshot = engine.snapshot();
      const active = snapshot.active_config;
      if (active !== null) {
        const servingConfigs = snapshot.tiers.filter((t) => t.enabled).flatMap((t) => t.configs);
        const activeView = servingConfigs.find((c) => c.name === active);
        expect(activeView, `seed ${seed} step ${step}: active ${active} must serve`).toBeDefined();
        if (activeView?.health.status === 'unhealthy') {
          const alive = servingConfigs.filter((c) => c.health.status !== 'unhealthy').map((c) => c.name);
          expect(alive, `seed ${seed} step ${step}: active ${active} is dead while others serve`).toEqual([]);
        }
      }
    }

    // Invariant 3: in any hour, automatic switches never exceed the limit, except failovers away from a dead config.
    switches.forEach(({ at, event, fromWasDead }, index) => {
      if (event.event_type === 'failover') {
        expect(fromWasDead, `failover ${event.event_id} left a live config`).toBe(true);
        return;
      }
      const before = switches.slice(0, index).filter((s) => s.at > at - HOUR_MS).length;
      expect(before, `recovery ${event.event_id} at ${at} exceeded the hourly limit`).toBeLessThan(maxPerHour);
    });
    // The run must have exercised the interesting paths, or it proves nothing.
    expect(switches.length).toBeGreaterThan(0);
  });

  it('exercises recoveries and failovers across the seeds', async () => {
    // Guard against a generator that never reaches the states the invariants talk about.
    const h = await EngineHarness.create({ auto_recovery_enabled: true, recovery_delay: 0, cooldown_period: 0, success_threshold: 1 }, [
      { name: 'a', tier: 'primary', endpoints: 1 },
      { name: 'b', tier: 'secondary', endpoints: 1 },
    ]);
    h.kill('a');
    h.clock.advanceSeconds(30);
    h.succeed('a');
    expect(h.eventTypes()).toEqual(['failover', 'recovery']);
  });
});
