import { describe, expect, it } from 'vitest';
import type { EngineSnapshot } from '../../../src-shared/contract/snapshot.js';
import { SERVING_TIERS } from '../../../src-shared/model/tier.js';
import type { RequestPlan } from './engine.js';
import type { AttemptOutcome } from './outcome.js';
import type { Candidate } from './request-planner.js';
import { EngineHarness } from './testing/engine-harness.js';
import { seededRandom as random } from './testing/seeded-random.js';

// Engine.plan() keeps its last plan while nothing it depends on changes. Each
// test below first shows the plan being reused, then changes one input and
// expects a different plan: with that invalidation missing, the stale plan
// would come back. Endpoint ids are read once up front, because a snapshot
// reads every breaker and would expire ejections on the tests' behalf.

const FAILURE: AttemptOutcome = { kind: 'failure', detail: 'HTTP 503', status: 503 };
const SUCCESS: AttemptOutcome = { kind: 'success', latency_ms: 10 };

const LADDER = [
  { name: 'a', tier: 'primary', endpoints: 2 },
  { name: 'b', tier: 'secondary', endpoints: 1 },
  { name: 'c', tier: 'fallback', endpoints: 1 },
] as const;

async function ladder() {
  // One failure ejects, for 30 s the first time.
  const h = await EngineHarness.create({ failure_threshold: 1, ejection_base_time: 30, ejection_max_time: 300 }, [...LADDER]);
  const [a0, a1] = h.endpointIds('a') as [string, string];
  const [b0] = h.endpointIds('b') as [string];
  const [c0] = h.endpointIds('c') as [string];
  return { h, engine: h.engine, clock: h.clock, a0, a1, b0, c0 };
}

const ids = (plan: RequestPlan) => plan.candidates.map((c) => c.endpoint.id);

/** Plans twice and checks the second is the kept plan, so a later change has a cache to get past. */
function cachedPlan(engine: { plan(): RequestPlan }): RequestPlan {
  const plan = engine.plan();
  expect(engine.plan()).toBe(plan);
  return plan;
}

describe('Engine.plan() keeps its plan until an input changes', () => {
  it('reuses one frozen plan, with one reporter, while only successes and time pass', async () => {
    const { engine, clock, a0, a1, b0, c0 } = await ladder();
    const plan = cachedPlan(engine);
    expect(ids(plan)).toEqual([a0, a1, b0, c0]);
    plan.report(plan.candidates[0] as Candidate, SUCCESS);
    plan.report(plan.candidates[1] as Candidate, { kind: 'neutral' });
    clock.advanceSeconds(3_600);
    engine.tick();
    expect(engine.plan()).toBe(plan);
    // Shared by every request, so no caller may rearrange it.
    expect(Object.isFrozen(plan.candidates)).toBe(true);
    expect(() => (plan.candidates as Candidate[]).reverse()).toThrow(TypeError);
  });

  it('drops the plan when a report ejects an endpoint', async () => {
    const { engine, a0, a1, b0, c0 } = await ladder();
    const plan = cachedPlan(engine);
    expect(plan.candidates[0]?.endpoint.id).toBe(a0);
    plan.report(plan.candidates[0] as Candidate, FAILURE);
    const next = engine.plan();
    expect(ids(next)).toEqual([a1, b0, c0]);
    expect(next.report).toBe(plan.report);
  });

  it('drops the plan the moment an ejection expires, with no event and no tick', async () => {
    const { engine, clock, a0, a1, b0, c0 } = await ladder();
    engine.recordOutcome('a', a0, FAILURE); // ejected for 30 s
    const plan = cachedPlan(engine);
    expect(ids(plan)).toEqual([a1, b0, c0]);
    clock.advance(29_999);
    expect(engine.plan()).toBe(plan);
    clock.advance(1);
    // Half-open now: tried again, after the config's closed endpoint.
    expect(ids(engine.plan())).toEqual([a1, a0, b0, c0]);
  });

  it('drops the plan when a half-open endpoint recovers (a success that transitions)', async () => {
    const { engine, clock, a0, a1, b0, c0 } = await ladder();
    engine.recordOutcome('a', a0, FAILURE);
    clock.advanceSeconds(30);
    const plan = cachedPlan(engine);
    expect(ids(plan)).toEqual([a1, a0, b0, c0]);
    plan.report(plan.candidates[1] as Candidate, SUCCESS);
    expect(ids(engine.plan())).toEqual([a0, a1, b0, c0]);
  });

  it('drops the plan when a half-open endpoint fails again', async () => {
    const { engine, clock, a0, a1, b0, c0 } = await ladder();
    engine.recordOutcome('a', a0, FAILURE);
    clock.advanceSeconds(30);
    const plan = cachedPlan(engine);
    expect(ids(plan)).toEqual([a1, a0, b0, c0]);
    plan.report(plan.candidates[1] as Candidate, FAILURE);
    expect(ids(engine.plan())).toEqual([a1, b0, c0]);
  });

  it('keeps a rate-limited endpoint out until its retry-after, then plans it again', async () => {
    const { engine, clock, a0, a1, b0, c0 } = await ladder();
    cachedPlan(engine);
    engine.recordOutcome('a', a1, { kind: 'rate_limited', retry_after_ms: 20_000 });
    const limited = cachedPlan(engine);
    expect(ids(limited)).toEqual([a0, b0, c0]);
    clock.advance(19_999);
    expect(engine.plan()).toBe(limited);
    clock.advance(1);
    expect(ids(engine.plan())).toEqual([a0, a1, b0, c0]);
  });

  it('keeps a rejected key out whatever the time, until a success clears it', async () => {
    const { engine, clock, a0, a1, b0, c0 } = await ladder();
    engine.recordOutcome('a', a0, { kind: 'credential_rejected', status: 401 });
    const plan = cachedPlan(engine);
    expect(ids(plan)).toEqual([a1, b0, c0]);
    clock.advanceSeconds(86_400);
    expect(ids(engine.plan())).toEqual([a1, b0, c0]);
    engine.recordOutcome('a', a0, SUCCESS, 'probe');
    expect(ids(engine.plan())).toEqual([a0, a1, b0, c0]);
  });

  it('re-orders panic candidates when an ejected endpoint fails again (no transition)', async () => {
    const h = await EngineHarness.create({ failure_threshold: 1, ejection_base_time: 300, ejection_max_time: 300 }, [{ name: 'solo', tier: 'primary', endpoints: 2 }]);
    const [first, second] = h.endpointIds('solo') as [string, string];
    h.engine.recordOutcome('solo', first, FAILURE);
    h.clock.advanceSeconds(1);
    h.engine.recordOutcome('solo', second, FAILURE);
    const plan = cachedPlan(h.engine);
    expect(ids(plan)).toEqual([first, second]); // least recently failed first
    expect(plan.candidates.every((c) => c.panic)).toBe(true);
    h.clock.advanceSeconds(1);
    plan.report(plan.candidates[0] as Candidate, FAILURE); // still open: only its last failure moves
    expect(ids(h.engine.plan())).toEqual([second, first]);
  });

  it('follows a manual switch, and the automatic failover away from a dead config', async () => {
    const { engine, a0, a1, b0, c0 } = await ladder();
    cachedPlan(engine);
    await engine.invoke('failover:switch', { name: 'b', reason: 'test' });
    expect(ids(cachedPlan(engine))).toEqual([b0, a0, a1, c0]);
    // b dies; failover clears the pin and moves to a.
    engine.recordOutcome('b', b0, FAILURE);
    expect(engine.activeConfig).toBe('a');
    expect(ids(engine.plan())).toEqual([a0, a1, c0]);
  });

  it('follows a drill that ends while another config is pinned (the active config does not change)', async () => {
    const { engine, clock, a0, a1, b0, c0 } = await ladder();
    await engine.invoke('failover:drill', { duration_s: 30 });
    expect(ids(cachedPlan(engine))).toEqual([b0, c0]);
    await engine.invoke('failover:switch', { name: 'c', reason: 'test' });
    expect(ids(cachedPlan(engine))).toEqual([c0, b0]);
    clock.advanceSeconds(30);
    engine.tick(); // the drill ends; c stays active because it is pinned
    expect(engine.activeConfig).toBe('c');
    expect(engine.snapshot().drill).toBeNull();
    expect(ids(engine.plan())).toEqual([c0, a0, a1, b0]);
  });

  it('follows tier flags and tier moves', async () => {
    const { engine, a0, a1, b0, c0 } = await ladder();
    cachedPlan(engine);
    await engine.invoke('priority:set-tier-enabled', { tier: 'secondary', enabled: false });
    expect(ids(cachedPlan(engine))).toEqual([a0, a1, c0]);
    await engine.invoke('priority:set-tier-enabled', { tier: 'secondary', enabled: true });
    await engine.invoke('priority:move', { name: 'c', tier: 'secondary', index: 0 });
    expect(ids(engine.plan())).toEqual([a0, a1, c0, b0]);
  });

  it('follows max_attempts_per_request and auto_failover_enabled', async () => {
    const { engine, a0, a1, b0 } = await ladder();
    cachedPlan(engine);
    await engine.invoke('policy:update', { max_attempts_per_request: 3 });
    expect(ids(cachedPlan(engine))).toEqual([a0, a1, b0]);
    await engine.invoke('policy:update', { auto_failover_enabled: false });
    expect(ids(engine.plan())).toEqual([a0, a1]);
  });

  it('follows settings adopted from another process, endpoint edits and renames', async () => {
    const { h, engine, a0, a1, b0, c0 } = await ladder();
    cachedPlan(engine);
    const stored = structuredClone(h.repository.stored);
    const a = stored.configs.find((config) => config.name === 'a');
    const endpoint = a?.endpoints.find((e) => e.id === a1);
    if (endpoint) endpoint.enabled = false;
    h.repository.stored = stored; // as another process would have written it
    engine.adoptSettings(structuredClone(stored));
    expect(ids(cachedPlan(engine))).toEqual([a0, b0, c0]);

    engine.recordOutcome('a', a0, { kind: 'credential_rejected', status: 403 });
    expect(ids(cachedPlan(engine))).toEqual([b0, c0]);
    // A new key starts the endpoint's breaker afresh.
    await engine.invoke('endpoint:update', { config: 'a', endpoint_id: a0, api_key: 'sk-ant-a-new-key-0123456789abcdef' });
    expect(engine.activeConfig).toBe('b'); // failed over meanwhile; a is better again but recovery waits
    const edited = cachedPlan(engine);
    expect(ids(edited)).toEqual([b0, a0, c0]);

    await engine.invoke('config:update', { name: 'b', new_name: 'b2' });
    expect(engine.plan().candidates.map((c) => c.config)).toEqual(['b2', 'a', 'c']);
  });
});

// ── Randomized: the kept plan always equals one made from scratch ─────────


/**
 * architecture.md §4.3's candidate order, written out independently of the
 * planner, from a snapshot (which shows each breaker as it is now).
 */
function expectedCandidates(snapshot: EngineSnapshot, active: string | null, drilled = snapshot.drill?.config): string[] {
  const order = snapshot.tiers.filter((t) => t.enabled).flatMap((t) => t.configs).filter((c) => c.name !== drilled);
  const current = order.find((c) => c.name === active);
  const configs = current === undefined ? order : snapshot.policy.auto_failover_enabled ? [current, ...order.filter((c) => c !== current)] : [current];
  const live: string[] = [];
  const ejected: { key: string; lastFailure: number }[] = [];
  for (const config of configs) {
    const halfOpen: string[] = [];
    for (const endpoint of config.endpoints) {
      if (!endpoint.enabled) continue;
      const key = `${config.name}/${endpoint.id}`;
      if (endpoint.health.state === 'closed') live.push(key);
      else if (endpoint.health.state === 'half_open') halfOpen.push(key);
      else ejected.push({ key: `${key}!`, lastFailure: endpoint.health.last_failure ?? 0 });
    }
    live.push(...halfOpen);
  }
  const limit = snapshot.policy.max_attempts_per_request;
  if (live.length > 0) return live.slice(0, limit);
  return ejected
    .sort((a, b) => a.lastFailure - b.lastFailure)
    .slice(0, limit)
    .map((entry) => entry.key);
}

const keysOf = (plan: RequestPlan) => plan.candidates.map((c) => `${c.config}/${c.endpoint.id}${c.panic ? '!' : ''}`);

describe('the kept plan under random traffic, time and user actions', () => {
  it.each(Array.from({ length: 16 }, (_, i) => 4_000 + i * 7_919))('seed %i', async (seed) => {
    const rand = random(seed);
    const int = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;

    const names = ['p', 'q', 'r', 's'];
    const h = await EngineHarness.create(
      { failure_threshold: int(1, 2), ejection_base_time: pick([5, 30]), ejection_max_time: 120, auto_recovery_enabled: rand() < 0.5, recovery_delay: 0, cooldown_period: 0 },
      names.map((name, i) => ({ name, tier: SERVING_TIERS[i % SERVING_TIERS.length] ?? 'primary', endpoints: int(1, 3) })),
    );
    const { engine, clock } = h;
    const endpoints = new Map(names.map((name) => [name, h.endpointIds(name)]));
    const outcomes: AttemptOutcome[] = [
      SUCCESS,
      SUCCESS,
      SUCCESS,
      FAILURE,
      FAILURE,
      { kind: 'rate_limited', retry_after_ms: int(1_000, 40_000) },
      { kind: 'credential_rejected', status: 401 },
      { kind: 'neutral' },
    ];
    let previous: RequestPlan | null = null;
    // The drill as last seen: plan() settles after planning, and that may end a due drill.
    let drillSeen: string | undefined;
    engine.on('state:changed', (snapshot) => (drillSeen = snapshot.drill?.config));
    let reused = 0;
    let compared = 0;

    for (let step = 0; step < 1_500; step++) {
      const roll = rand();
      const name = pick(names);
      const ids = endpoints.get(name) ?? [];
      if (roll < 0.35) {
        if (ids.length > 0) engine.recordOutcome(name, pick(ids), pick(outcomes), rand() < 0.8 ? 'traffic' : 'probe');
      } else if (roll < 0.5) {
        clock.advance(pick([0, 1, 999, 5_000, 20_000, 60_000])); // no tick: only the plan's own expiry notices
      } else if (roll < 0.55) {
        engine.tick();
      } else if (roll < 0.85) {
        // The plan first, then the truth, so nothing but plan() itself can notice an expired ejection.
        // A decision plan() settles after planning (a switch, a drill's end) is the next plan's to show.
        const activeBefore = engine.activeConfig;
        const drillBefore = drillSeen;
        const plan = engine.plan();
        const kept = plan === previous;
        if (kept) reused += 1;
        previous = plan;
        const snapshot = engine.snapshot();
        drillSeen = snapshot.drill?.config;
        if (engine.activeConfig === activeBefore) {
          compared += 1;
          const expected = expectedCandidates(snapshot, activeBefore);
          const drillEndedMeanwhile = !kept && snapshot.drill === null && drillBefore !== undefined;
          if (drillEndedMeanwhile && keysOf(plan).join() !== expected.join()) {
            expect(keysOf(plan), `seed ${seed} step ${step}`).toEqual(expectedCandidates(snapshot, activeBefore, drillBefore));
          } else {
            expect(keysOf(plan), `seed ${seed} step ${step}`).toEqual(expected);
          }
        }
      } else if (roll < 0.88) {
        await engine.invoke('failover:switch', { name, reason: 'random' }).catch((error: { code?: string }) => expect(error.code).toBe('failed_precondition'));
      } else if (roll < 0.9) {
        await engine.invoke('failover:unpin', {});
      } else if (roll < 0.92) {
        await engine
          .invoke('failover:drill', { duration_s: pick([5, 30]) })
          .then(() => (drillSeen = engine.snapshot().drill?.config))
          .catch((error: { code?: string }) => expect(error.code).toBe('failed_precondition'));
      } else if (roll < 0.94) {
        await engine.invoke('priority:move', { name, tier: pick(SERVING_TIERS), index: int(0, 3) });
      } else if (roll < 0.96) {
        await engine.invoke('priority:set-tier-enabled', { tier: pick(SERVING_TIERS), enabled: rand() < 0.7 });
      } else if (roll < 0.98) {
        await engine.invoke('policy:update', rand() < 0.5 ? { max_attempts_per_request: int(1, 6) } : { auto_failover_enabled: rand() < 0.8 });
      } else if (ids.length > 0) {
        const endpoint_id = pick(ids);
        await engine.invoke('endpoint:update', rand() < 0.5 ? { config: name, endpoint_id, enabled: rand() < 0.7 } : { config: name, endpoint_id, api_key: `sk-ant-${name}-${step}-0123456789abcdef` });
      }
    }
    // The run must have used kept plans and checked plenty, or it proves nothing.
    expect(reused).toBeGreaterThan(50);
    expect(compared).toBeGreaterThan(300);
  });
});
