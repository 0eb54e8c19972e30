import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../src-shared/model/config.js';
import type { FailoverPolicy } from '../../../src-shared/model/policy.js';
import { SettingsSchema, emptySettings, findConfig, type Settings } from '../../../src-shared/model/settings.js';
import { TIERS, type Tier } from '../../../src-shared/model/tier.js';
import { EndpointBreaker } from './endpoint-breaker.js';
import type { AttemptOutcome } from './outcome.js';
import { servingOrder } from './priority-manager.js';
import { planCandidates, planRequest, type Candidate } from './request-planner.js';
import { FakeClock } from './testing/fakes.js';

// architecture.md §4.3 steps 1 and 5. Breaker states come from real
// EndpointBreakers fed outcomes, with time moved by a FakeClock.

const FAIL: AttemptOutcome = { kind: 'failure', detail: 'HTTP 503', status: 503 };

interface ConfigDef {
  name: string;
  tier: Tier;
  /** Endpoint ids; a trailing `!` marks a disabled endpoint. */
  endpoints: string[];
}

function world(defs: ConfigDef[], options: { policy?: Partial<FailoverPolicy>; tierEnabled?: Partial<Settings['tier_enabled']> } = {}) {
  const clock = new FakeClock();
  const base = emptySettings();
  const tiers = { primary: [], secondary: [], fallback: [], disabled: [] } as Record<Tier, string[]>;
  for (const def of defs) tiers[def.tier].push(def.name);
  const settings = SettingsSchema.parse({
    ...base,
    configs: defs.map((def) =>
      ConfigSchema.parse({
        name: def.name,
        endpoints: def.endpoints.map((raw) => {
          const id = raw.replace(/!$/, '');
          return { id, base_url: `https://${def.name}-${id}.example.com`, api_key: `sk-${def.name}-${id}-secret`, enabled: !raw.endsWith('!') };
        }),
      }),
    ),
    tiers,
    tier_enabled: { ...base.tier_enabled, ...options.tierEnabled },
    policy: { ...base.policy, ejection_base_time: 30, ejection_max_time: 300, ...options.policy },
  });
  const policy = settings.policy;
  const breakers = new Map<string, EndpointBreaker>();
  const breaker = (config: string, id: string): EndpointBreaker => {
    const key = `${config}/${id}`;
    let found = breakers.get(key);
    if (!found) {
      found = new EndpointBreaker(clock);
      breakers.set(key, found);
    }
    return found;
  };
  const record = (key: string, outcome: AttemptOutcome, times = 1): void => {
    const [config = '', id = ''] = key.split('/');
    for (let i = 0; i < times; i++) breaker(config, id).record(outcome, policy);
  };
  /** Ejects `config/endpoint` by failure_threshold consecutive failures. */
  const eject = (key: string): void => {
    record(key, FAIL, policy.failure_threshold);
    const [config = '', id = ''] = key.split('/');
    expect(breaker(config, id).state).toBe('open');
  };
  /** Puts `config/endpoint` into half-open: a short 429 ejection that then runs out. Moves the clock 1 s. */
  const halfOpen = (...keys: string[]): void => {
    for (const key of keys) record(key, { kind: 'rate_limited', retry_after_ms: 1_000 });
    clock.advance(1_000);
    for (const key of keys) {
      const [config = '', id = ''] = key.split('/');
      expect(breaker(config, id).state).toBe('half_open');
    }
  };
  const plan = (active: string | null): Candidate[] =>
    planCandidates({
      active,
      order: servingOrder(settings),
      policy,
      config: (name) => findConfig(settings, name),
      breaker,
    });
  const validUntil = (active: string | null): number =>
    planRequest({ active, order: servingOrder(settings), policy, config: (name) => findConfig(settings, name), breaker }).validUntil;
  const keys = (candidates: Candidate[]): string[] => candidates.map((c) => `${c.config}/${c.endpoint.id}`);
  return { clock, settings, policy, record, eject, halfOpen, plan, validUntil, keys };
}

const LADDER: ConfigDef[] = [
  { name: 'prod', tier: 'primary', endpoints: ['p1', 'p2'] },
  { name: 'backup', tier: 'secondary', endpoints: ['b1'] },
  { name: 'spare', tier: 'secondary', endpoints: ['s1', 's2'] },
  { name: 'last', tier: 'fallback', endpoints: ['l1'] },
];
const EVERYTHING = ['prod/p1', 'prod/p2', 'backup/b1', 'spare/s1', 'spare/s2', 'last/l1'];

describe('order of candidates', () => {
  it('tries the active config first, then every other serving config in tier order', () => {
    const w = world(LADDER);
    expect(w.keys(w.plan('spare'))).toEqual(['spare/s1', 'spare/s2', 'prod/p1', 'prod/p2', 'backup/b1', 'last/l1']);
    expect(w.keys(w.plan('prod'))).toEqual(EVERYTHING);
  });

  it('follows serving order when nothing is active', () => {
    const w = world(LADDER);
    expect(w.keys(w.plan(null))).toEqual(EVERYTHING);
  });

  it('hands out the endpoint itself with its settings', () => {
    const w = world(LADDER);
    const [first] = w.plan('backup');
    expect(first).toEqual({ config: 'backup', endpoint: w.settings.configs[1]?.endpoints[0], panic: false });
  });

  it('puts closed endpoints before half-open ones within a config, but keeps configs in order', () => {
    const w = world([
      { name: 'prod', tier: 'primary', endpoints: ['p1', 'p2', 'p3'] },
      { name: 'backup', tier: 'secondary', endpoints: ['b1', 'b2'] },
    ]);
    w.halfOpen('prod/p1', 'backup/b1');
    expect(w.keys(w.plan('prod'))).toEqual(['prod/p2', 'prod/p3', 'prod/p1', 'backup/b2', 'backup/b1']);
    expect(w.plan('prod').every((candidate) => !candidate.panic)).toBe(true);
  });

  it('with auto_failover_enabled false, offers only the active config', () => {
    const w = world(LADDER, { policy: { auto_failover_enabled: false } });
    expect(w.keys(w.plan('backup'))).toEqual(['backup/b1']);
    w.eject('backup/b1');
    expect(w.plan('backup')).toEqual([expect.objectContaining({ config: 'backup', panic: true })]);
  });
});

describe('ejected endpoints', () => {
  it('are skipped while any other candidate exists', () => {
    const w = world(LADDER);
    w.eject('prod/p1');
    w.eject('spare/s2');
    expect(w.keys(w.plan('prod'))).toEqual(['prod/p2', 'backup/b1', 'spare/s1', 'last/l1']);
  });

  it('are skipped even when the only other candidate is half-open in the lowest tier', () => {
    const w = world(LADDER);
    w.halfOpen('last/l1');
    for (const key of EVERYTHING.filter((k) => k !== 'last/l1')) w.eject(key);
    const plan = w.plan('prod');
    expect(w.keys(plan)).toEqual(['last/l1']);
    expect(plan[0]?.panic).toBe(false);
  });

  it('come back as soon as their ejection runs out (half-open)', () => {
    const w = world(LADDER);
    w.eject('prod/p1');
    w.clock.advanceSeconds(w.policy.ejection_base_time - 1);
    expect(w.keys(w.plan('prod'))).not.toContain('prod/p1');
    w.clock.advanceSeconds(1);
    expect(w.keys(w.plan('prod'))).toEqual(['prod/p2', 'prod/p1', 'backup/b1', 'spare/s1', 'spare/s2', 'last/l1']);
  });

  it('include rate-limited and rejected-key endpoints: both are skipped', () => {
    const w = world(LADDER);
    w.record('prod/p1', { kind: 'rate_limited', retry_after_ms: 60_000 });
    w.record('prod/p2', { kind: 'credential_rejected', status: 401 });
    expect(w.keys(w.plan('prod'))).toEqual(['backup/b1', 'spare/s1', 'spare/s2', 'last/l1']);
  });
});

describe('panic mode: every endpoint ejected', () => {
  it('tries them all anyway, least recently failed first, marked panic', () => {
    const w = world(LADDER);
    const order = ['spare/s2', 'prod/p2', 'last/l1', 'backup/b1', 'prod/p1', 'spare/s1'];
    for (const key of order) {
      w.eject(key);
      w.clock.advance(1_000);
    }
    const plan = w.plan('prod');
    expect(w.keys(plan)).toEqual(order);
    expect(plan.every((candidate) => candidate.panic)).toBe(true);
  });

  it('moves an endpoint that just failed again to the back', () => {
    const w = world([
      { name: 'prod', tier: 'primary', endpoints: ['p1', 'p2'] },
      { name: 'backup', tier: 'secondary', endpoints: ['b1'] },
    ]);
    w.eject('prod/p1');
    w.clock.advance(1_000);
    w.eject('prod/p2');
    w.clock.advance(1_000);
    w.eject('backup/b1');
    w.clock.advance(1_000);
    w.record('prod/p1', FAIL); // a panic attempt that failed too
    expect(w.keys(w.plan('prod'))).toEqual(['prod/p2', 'backup/b1', 'prod/p1']);
  });

  it('includes rejected keys and rate-limited endpoints', () => {
    const w = world([{ name: 'prod', tier: 'primary', endpoints: ['p1', 'p2'] }]);
    w.record('prod/p1', { kind: 'credential_rejected', status: 403 });
    w.clock.advance(1_000);
    w.record('prod/p2', { kind: 'rate_limited', retry_after_ms: 60_000 });
    expect(w.plan('prod')).toEqual([
      expect.objectContaining({ config: 'prod', endpoint: expect.objectContaining({ id: 'p1' }), panic: true }),
      expect.objectContaining({ config: 'prod', endpoint: expect.objectContaining({ id: 'p2' }), panic: true }),
    ]);
  });

  it('ends the moment one endpoint turns half-open', () => {
    const w = world([
      { name: 'prod', tier: 'primary', endpoints: ['p1'] },
      { name: 'backup', tier: 'secondary', endpoints: ['b1'] },
    ]);
    w.eject('prod/p1');
    w.clock.advance(10_000);
    w.eject('backup/b1');
    expect(w.plan('prod').map((c) => c.panic)).toEqual([true, true]);
    w.clock.advanceSeconds(w.policy.ejection_base_time - 10);
    expect(w.plan('prod')).toEqual([expect.objectContaining({ config: 'prod', panic: false })]);
  });
});

describe('what never serves', () => {
  it('skips disabled endpoints, even in panic mode', () => {
    const w = world([
      { name: 'prod', tier: 'primary', endpoints: ['p1', 'p2!'] },
      { name: 'backup', tier: 'secondary', endpoints: ['b1!', 'b2'] },
    ]);
    expect(w.keys(w.plan('prod'))).toEqual(['prod/p1', 'backup/b2']);
    w.eject('prod/p1');
    w.eject('backup/b2');
    expect(w.keys(w.plan('prod'))).toEqual(['prod/p1', 'backup/b2']);
  });

  it('skips configs in the disabled tier and in a tier that is turned off, even in panic mode', () => {
    const w = world(
      [
        { name: 'prod', tier: 'primary', endpoints: ['p1'] },
        { name: 'backup', tier: 'secondary', endpoints: ['b1'] },
        { name: 'last', tier: 'fallback', endpoints: ['l1'] },
        { name: 'retired', tier: 'disabled', endpoints: ['r1'] },
      ],
      { tierEnabled: { secondary: false } },
    );
    expect(w.keys(w.plan('prod'))).toEqual(['prod/p1', 'last/l1']);
    w.eject('prod/p1');
    w.eject('last/l1');
    expect(w.keys(w.plan('prod'))).toEqual(['prod/p1', 'last/l1']);
  });

  it('skips the active config itself once it no longer serves (moved to disabled, tier turned off)', () => {
    const off = world(LADDER, { tierEnabled: { primary: false } });
    expect(off.keys(off.plan('prod'))).toEqual(['backup/b1', 'spare/s1', 'spare/s2', 'last/l1']);

    const moved = world([...LADDER.filter((d) => d.name !== 'prod'), { name: 'prod', tier: 'disabled', endpoints: ['p1'] }]);
    expect(moved.keys(moved.plan('prod'))).toEqual(['backup/b1', 'spare/s1', 'spare/s2', 'last/l1']);
  });

  it('plans nothing when no config serves', () => {
    const w = world([{ name: 'retired', tier: 'disabled', endpoints: ['r1'] }]);
    expect(w.plan(null)).toEqual([]);
  });
});

describe('max_attempts_per_request', () => {
  it('caps the plan, keeping the best candidates', () => {
    const w = world(LADDER, { policy: { max_attempts_per_request: 3 } });
    expect(w.keys(w.plan('spare'))).toEqual(['spare/s1', 'spare/s2', 'prod/p1']);
  });

  it('caps panic mode too, keeping the least recently failed', () => {
    const w = world(LADDER, { policy: { max_attempts_per_request: 2 } });
    for (const key of ['last/l1', 'prod/p1', 'prod/p2', 'backup/b1', 'spare/s1', 'spare/s2']) {
      w.eject(key);
      w.clock.advance(1_000);
    }
    expect(w.keys(w.plan('prod'))).toEqual(['last/l1', 'prod/p1']);
  });

  it('with 1, tries only the best candidate', () => {
    const w = world(LADDER, { policy: { max_attempts_per_request: 1 } });
    w.eject('prod/p1');
    expect(w.keys(w.plan('prod'))).toEqual(['prod/p2']);
  });
});

describe('the plan never leaks across tiers by accident', () => {
  it('covers every serving endpoint exactly once when all are healthy', () => {
    const w = world(LADDER, { policy: { max_attempts_per_request: 20 } });
    for (const active of [null, ...TIERS.flatMap((tier) => w.settings.tiers[tier])]) {
      const keys = w.keys(w.plan(active));
      expect([...keys].sort()).toEqual([...EVERYTHING].sort());
    }
  });
});

describe('validUntil: how long a plan holds with only time moving', () => {
  it('is the earliest end of an ejection among the planned configs, skipped or panic', () => {
    const w = world(LADDER);
    expect(w.validUntil('prod')).toBe(Infinity);
    const start = w.clock.now();
    w.eject('backup/b1'); // 30 s
    w.record('last/l1', { kind: 'rate_limited', retry_after_ms: 10_000 });
    w.record('spare/s1', { kind: 'credential_rejected', status: 401 }); // ends only with a success
    expect(w.validUntil('prod')).toBe(start + 10_000);
    w.clock.advance(10_000);
    expect(w.validUntil('prod')).toBe(start + 30_000); // l1 is half-open now; b1 still out
    expect(w.keys(w.plan('prod'))).toContain('last/l1');
  });

  it('ignores configs the plan does not cover and disabled endpoints', () => {
    const w = world([
      { name: 'prod', tier: 'primary', endpoints: ['p1', 'p2!'] },
      { name: 'backup', tier: 'secondary', endpoints: ['b1'] },
    ], { policy: { auto_failover_enabled: false } });
    w.eject('backup/b1');
    w.eject('prod/p2');
    expect(w.validUntil('prod')).toBe(Infinity);
    w.eject('prod/p1');
    expect(w.validUntil('prod')).toBe(w.clock.now() + 30_000);
  });
});
