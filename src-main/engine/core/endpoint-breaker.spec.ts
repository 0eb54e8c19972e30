import { describe, expect, it } from 'vitest';
import type { BreakerState } from '../../../src-shared/model/health.js';
import { DEFAULT_POLICY, type FailoverPolicy } from '../../../src-shared/model/policy.js';
import { EndpointBreaker, isLegalTransition, type BreakerTransitionEvent } from './endpoint-breaker.js';
import type { AttemptOutcome } from './outcome.js';
import { FakeClock } from './testing/fakes.js';

// architecture.md §4.1: failure_threshold consecutive failures eject an endpoint
// for base × n seconds (capped); a 429 ejects until its retry-after; a 401/403
// ejects and flags the key until a success. Time only moves through FakeClock.

const BASE_MS = 30_000;
const MAX_MS = 100_000;
const POLICY: FailoverPolicy = { ...DEFAULT_POLICY, failure_threshold: 3, ejection_base_time: 30, ejection_max_time: 100 };

const FAIL: AttemptOutcome = { kind: 'failure', detail: 'connect ECONNREFUSED 10.0.0.7:443' };
const OK: AttemptOutcome = { kind: 'success', latency_ms: 140 };
const NEUTRAL: AttemptOutcome = { kind: 'neutral' };

function setup(policy: FailoverPolicy = POLICY) {
  const clock = new FakeClock();
  const breaker = new EndpointBreaker(clock);
  const events: BreakerTransitionEvent[] = [];
  breaker.onTransition((event) => events.push(event));
  const record = (outcome: AttemptOutcome, times = 1): void => {
    for (let i = 0; i < times; i++) breaker.record(outcome, policy);
  };
  /** Ejects a closed (or half-open) endpoint by consecutive failures. */
  const ejectByFailures = (): void => {
    record(FAIL, breaker.state === 'half_open' ? 1 : policy.failure_threshold);
    expect(breaker.state).toBe('open');
  };
  /** Lets the current ejection run out; the endpoint is then half-open. */
  const expire = (): void => {
    const until = breaker.health().ejected_until;
    if (until === null) throw new Error('not ejected with an end time');
    clock.advance(until - clock.now());
    expect(breaker.state).toBe('half_open');
  };
  /** How long the current ejection lasts, from now. */
  const ejectionLeft = (): number | null => {
    const until = breaker.health().ejected_until;
    return until === null ? null : until - clock.now();
  };
  return { clock, breaker, events, record, ejectByFailures, expire, ejectionLeft };
}

describe('failure threshold: closed → open', () => {
  it('stays closed until exactly failure_threshold consecutive failures, then opens', () => {
    const { breaker, record } = setup();
    record(FAIL, 2);
    expect(breaker.state).toBe('closed');
    expect(breaker.isEjected).toBe(false);
    expect(breaker.health().consecutive_failures).toBe(2);

    record(FAIL);
    expect(breaker.state).toBe('open');
    expect(breaker.isEjected).toBe(true);
    expect(breaker.health().ejection_cause).toBe('failures');
  });

  it('follows the policy: failure_threshold 5 needs five, failure_threshold 1 needs one', () => {
    const five = setup({ ...POLICY, failure_threshold: 5 });
    five.record(FAIL, 4);
    expect(five.breaker.state).toBe('closed');
    five.record(FAIL);
    expect(five.breaker.state).toBe('open');

    const one = setup({ ...POLICY, failure_threshold: 1 });
    one.record(FAIL);
    expect(one.breaker.state).toBe('open');
  });

  it('starts counting again after a success in between', () => {
    const { breaker, record } = setup();
    record(FAIL, 2);
    record(OK);
    expect(breaker.health().consecutive_failures).toBe(0);
    record(FAIL, 2);
    expect(breaker.state).toBe('closed');
    record(FAIL);
    expect(breaker.state).toBe('open');
  });

  it('does not let neutral outcomes (client 4xx, disconnects) reset or add to the count', () => {
    const { breaker, record } = setup();
    record(FAIL, 2);
    record(NEUTRAL, 5);
    expect(breaker.state).toBe('closed');
    expect(breaker.health().consecutive_failures).toBe(2);
    record(FAIL);
    expect(breaker.state).toBe('open');
  });
});

describe('ejection time: base × n, capped', () => {
  it('keeps the first ejection for exactly ejection_base_time, then turns half-open', () => {
    const { clock, breaker, ejectByFailures } = setup();
    const start = clock.now();
    ejectByFailures();
    expect(breaker.health().ejected_until).toBe(start + BASE_MS);

    clock.advance(BASE_MS - 1);
    expect(breaker.state).toBe('open');
    clock.advance(1);
    expect(breaker.state).toBe('half_open');
    expect(breaker.isEjected).toBe(false);
  });

  it('grows with each ejection in a row: 2× base, 3× base, then the cap', () => {
    const { clock, breaker, record, ejectByFailures, expire, ejectionLeft } = setup();
    ejectByFailures();
    expect(ejectionLeft()).toBe(BASE_MS);
    expect(breaker.health().ejection_count).toBe(1);

    expire();
    record(FAIL); // half-open: one failure decides
    expect(breaker.state).toBe('open');
    expect(ejectionLeft()).toBe(2 * BASE_MS);
    expect(breaker.health().ejection_count).toBe(2);
    clock.advance(2 * BASE_MS - 1);
    expect(breaker.state).toBe('open');
    clock.advance(1);
    expect(breaker.state).toBe('half_open');

    record(FAIL);
    expect(ejectionLeft()).toBe(3 * BASE_MS);

    expire();
    record(FAIL);
    expect(ejectionLeft()).toBe(MAX_MS); // 4 × 30 s = 120 s, capped at 100 s
    expire();
    record(FAIL);
    expect(ejectionLeft()).toBe(MAX_MS);
    expect(breaker.health().ejection_count).toBe(5);
  });

  it('keeps growing when the endpoint fails again soon after closing', () => {
    const { clock, record, ejectByFailures, expire, ejectionLeft } = setup();
    ejectByFailures();
    expire();
    record(OK);
    clock.advance(MAX_MS - 1_000); // closed, but not longer than the cap
    ejectByFailures();
    expect(ejectionLeft()).toBe(2 * BASE_MS);
  });

  it('starts over at base once the endpoint stayed closed longer than ejection_max_time', () => {
    const { clock, breaker, record, ejectByFailures, expire, ejectionLeft } = setup();
    ejectByFailures();
    expire();
    record(FAIL);
    expect(ejectionLeft()).toBe(2 * BASE_MS);
    expire();
    record(OK);
    clock.advance(MAX_MS + 1_000);
    ejectByFailures();
    expect(ejectionLeft()).toBe(BASE_MS);
    expect(breaker.health().ejection_count).toBe(1);
  });
});

describe('half-open: the next outcome decides', () => {
  it('closes on a success and needs the full threshold to open again', () => {
    const { breaker, record, ejectByFailures, expire } = setup();
    ejectByFailures();
    expire();
    record(OK);
    expect(breaker.state).toBe('closed');
    expect(breaker.health()).toMatchObject({ ejection_cause: null, ejected_until: null, consecutive_failures: 0 });

    record(FAIL, 2);
    expect(breaker.state).toBe('closed');
    record(FAIL);
    expect(breaker.state).toBe('open');
  });

  it('opens again on a single failure', () => {
    const { breaker, record, ejectByFailures, expire } = setup();
    ejectByFailures();
    expire();
    record(FAIL);
    expect(breaker.state).toBe('open');
    expect(breaker.health().ejection_cause).toBe('failures');
  });

  it('closes when a success arrives while still open (panic-mode traffic got through)', () => {
    const { breaker, record, ejectByFailures } = setup();
    ejectByFailures();
    record(OK);
    expect(breaker.state).toBe('closed');
  });
});

describe('rate limit (429)', () => {
  it('ejects at once, on the first 429, until exactly retry_after_ms from now', () => {
    const { clock, breaker, record } = setup();
    const start = clock.now();
    record({ kind: 'rate_limited', retry_after_ms: 7_500 });
    expect(breaker.state).toBe('open');
    expect(breaker.health()).toMatchObject({ ejection_cause: 'rate_limited', ejected_until: start + 7_500 });

    clock.advance(7_499);
    expect(breaker.state).toBe('open');
    clock.advance(1);
    expect(breaker.state).toBe('half_open');
  });

  it('uses ejection_base_time when the upstream gave no retry-after', () => {
    const { clock, breaker, record } = setup();
    const start = clock.now();
    record({ kind: 'rate_limited' });
    expect(breaker.health().ejected_until).toBe(start + BASE_MS);
    clock.advance(BASE_MS - 1);
    expect(breaker.state).toBe('open');
    clock.advance(1);
    expect(breaker.state).toBe('half_open');
  });

  it('ejects a half-open endpoint again until the new retry-after', () => {
    const { clock, breaker, record, ejectByFailures, expire } = setup();
    ejectByFailures();
    expire();
    record({ kind: 'rate_limited', retry_after_ms: 4_000 });
    expect(breaker.state).toBe('open');
    expect(breaker.health()).toMatchObject({ ejection_cause: 'rate_limited', ejected_until: clock.now() + 4_000 });
  });

  it('keeps the longer wait when a 429 arrives while already open', () => {
    const { clock, breaker, record, ejectByFailures } = setup();
    const start = clock.now();
    ejectByFailures(); // until start + 30 s

    record({ kind: 'rate_limited', retry_after_ms: 5_000 });
    expect(breaker.health().ejected_until).toBe(start + BASE_MS);
    clock.advance(5_000);
    expect(breaker.state).toBe('open');

    record({ kind: 'rate_limited', retry_after_ms: 90_000 });
    expect(breaker.health().ejected_until).toBe(start + 5_000 + 90_000);
    clock.advance(BASE_MS);
    expect(breaker.state).toBe('open');
    clock.advance(90_000 - BASE_MS);
    expect(breaker.state).toBe('half_open');
  });
});

describe('rejected key (401/403)', () => {
  it.each([401, 403])('ejects on the first %i, flags the key, and time alone never frees it', (status) => {
    const { clock, breaker, record } = setup();
    record({ kind: 'credential_rejected', status });
    expect(breaker.state).toBe('open');
    expect(breaker.health()).toMatchObject({ ejection_cause: 'credential_rejected', credential_rejected: true, ejected_until: null });

    clock.advanceSeconds(POLICY.ejection_max_time);
    expect(breaker.state).toBe('open');
    clock.advanceSeconds(30 * 86_400);
    expect(breaker.state).toBe('open');
    expect(breaker.isEjected).toBe(true);
    expect(breaker.isCredentialRejected).toBe(true);
  });

  it('is cleared by a success (a probe with a working key)', () => {
    const { breaker, record } = setup();
    record({ kind: 'credential_rejected', status: 401 });
    record(OK);
    expect(breaker.state).toBe('closed');
    expect(breaker.isCredentialRejected).toBe(false);
    expect(breaker.health()).toMatchObject({ ejection_cause: null, credential_rejected: false });
  });

  it('overrides a running timed ejection: a rate-limited endpoint whose key is then rejected stays out', () => {
    const { clock, breaker, record } = setup();
    record({ kind: 'rate_limited', retry_after_ms: 5_000 });
    record({ kind: 'credential_rejected', status: 403 });
    expect(breaker.health()).toMatchObject({ ejection_cause: 'credential_rejected', ejected_until: null });
    clock.advance(60_000);
    expect(breaker.state).toBe('open');
  });

  it('is not turned back into a timed ejection by a later 429', () => {
    const { clock, breaker, record } = setup();
    record({ kind: 'credential_rejected', status: 401 });
    record({ kind: 'rate_limited', retry_after_ms: 1_000 });
    expect(breaker.health()).toMatchObject({ ejection_cause: 'credential_rejected', ejected_until: null });
    clock.advance(3_600_000);
    expect(breaker.state).toBe('open');
  });

  it('ejects a half-open endpoint and keeps it out', () => {
    const { clock, breaker, record, ejectByFailures, expire } = setup();
    ejectByFailures();
    expire();
    record({ kind: 'credential_rejected', status: 401 });
    expect(breaker.state).toBe('open');
    clock.advance(86_400_000);
    expect(breaker.state).toBe('open');
  });
});

describe('neutral outcomes', () => {
  it.each<[string, (s: ReturnType<typeof setup>) => void, BreakerState]>([
    ['closed', (s) => s.record(FAIL, 2), 'closed'],
    ['open', (s) => s.ejectByFailures(), 'open'],
    ['half_open', (s) => { s.ejectByFailures(); s.expire(); }, 'half_open'],
    ['open on a rejected key', (s) => s.record({ kind: 'credential_rejected', status: 401 }), 'open'],
  ])('change nothing while %s', (_label, arrange, expected) => {
    const s = setup();
    arrange(s);
    const before = s.breaker.health();
    const eventsBefore = s.events.length;
    s.record(NEUTRAL, 10);
    expect(s.breaker.state).toBe(expected);
    expect(s.breaker.health()).toEqual(before);
    expect(s.events).toHaveLength(eventsBefore);
  });

  it('are not a signal: a fresh endpoint fed only neutral outcomes has none', () => {
    const { breaker, record } = setup();
    record(NEUTRAL, 3);
    expect(breaker.hasSignal).toBe(false);
  });
});

describe('transition events', () => {
  it('publishes one event per change with from, to, cause and time', () => {
    const { clock, events, record, ejectByFailures } = setup();
    const start = clock.now();
    ejectByFailures();
    clock.advance(BASE_MS);
    record(FAIL); // the half-open trial fails
    clock.advance(2 * BASE_MS);
    record(OK); // the next trial works

    expect(events).toEqual([
      { from: 'closed', to: 'open', cause: 'failures', at: start },
      { from: 'open', to: 'half_open', cause: 'failures', at: start + BASE_MS },
      { from: 'half_open', to: 'open', cause: 'failures', at: start + BASE_MS },
      { from: 'open', to: 'half_open', cause: 'failures', at: start + 3 * BASE_MS },
      { from: 'half_open', to: 'closed', cause: null, at: start + 3 * BASE_MS },
    ]);
    for (const event of events) expect(isLegalTransition(event.from, event.to)).toBe(true);
  });

  it('names the cause of a rate-limit and of a rejected-key ejection', () => {
    const limited = setup();
    limited.record({ kind: 'rate_limited', retry_after_ms: 1_000 });
    expect(limited.events).toEqual([{ from: 'closed', to: 'open', cause: 'rate_limited', at: limited.clock.now() }]);

    const rejected = setup();
    rejected.record({ kind: 'credential_rejected', status: 403 });
    rejected.record(OK);
    expect(rejected.events).toEqual([
      { from: 'closed', to: 'open', cause: 'credential_rejected', at: rejected.clock.now() },
      { from: 'open', to: 'closed', cause: null, at: rejected.clock.now() },
    ]);
  });

  it('publishes nothing when nothing changes', () => {
    const { clock, breaker, events, record, ejectByFailures } = setup();
    record(OK, 3);
    record(FAIL, 2);
    record(OK);
    record(NEUTRAL);
    expect(breaker.state).toBe('closed');
    expect(events).toEqual([]);

    ejectByFailures();
    record(FAIL, 3); // failures while already out
    record({ kind: 'rate_limited', retry_after_ms: 1_000 });
    clock.advance(BASE_MS - 1);
    expect(breaker.state).toBe('open');
    expect(events).toHaveLength(1);
  });

  it('stops delivering to an unsubscribed listener', () => {
    const { breaker, record } = setup();
    const seen: BreakerTransitionEvent[] = [];
    const unsubscribe = breaker.onTransition((event) => seen.push(event));
    record({ kind: 'credential_rejected', status: 401 });
    unsubscribe();
    record(OK);
    expect(seen.map((event) => event.to)).toEqual(['open']);
  });

  it('survives a listener that throws: the machine moves on and other listeners still hear', () => {
    const clock = new FakeClock();
    const breaker = new EndpointBreaker(clock);
    breaker.onTransition(() => {
      throw new Error('listener bug');
    });
    const seen: BreakerState[] = [];
    breaker.onTransition((event) => seen.push(event.to));

    expect(() => {
      for (let i = 0; i < POLICY.failure_threshold; i++) breaker.record(FAIL, POLICY);
    }).not.toThrow();
    expect(breaker.state).toBe('open');
    clock.advance(BASE_MS);
    expect(breaker.state).toBe('half_open');
    breaker.record(OK, POLICY);
    expect(breaker.state).toBe('closed');
    expect(seen).toEqual(['open', 'half_open', 'closed']);
  });
});

describe('isLegalTransition', () => {
  it.each<[BreakerState, BreakerState, boolean]>([
    ['closed', 'open', true],
    ['closed', 'half_open', false],
    ['closed', 'closed', false],
    ['open', 'half_open', true],
    ['open', 'closed', true],
    ['open', 'open', false],
    ['half_open', 'closed', true],
    ['half_open', 'open', true],
    ['half_open', 'half_open', false],
  ])('%s → %s is %s', (from, to, legal) => {
    expect(isLegalTransition(from, to)).toBe(legal);
  });
});

describe('health()', () => {
  it('starts closed with no signal', () => {
    const { breaker } = setup();
    expect(breaker.hasSignal).toBe(false);
    expect(breaker.lastFailureAt).toBeNull();
    expect(breaker.health()).toEqual({
      state: 'closed',
      ejection_cause: null,
      ejected_until: null,
      ejection_count: 0,
      credential_rejected: false,
      consecutive_failures: 0,
      consecutive_successes: 0,
      last_error: null,
      last_failure: null,
      last_success: null,
    });
  });

  it('reports the counters, the times and the failure detail as last_error', () => {
    const { clock, breaker, record } = setup();
    const start = clock.now();
    record(OK, 2);
    expect(breaker.health()).toMatchObject({ consecutive_successes: 2, consecutive_failures: 0, last_success: start, last_error: null });

    clock.advance(1_000);
    record({ kind: 'failure', detail: 'HTTP 503 from upstream', status: 503 });
    expect(breaker.hasSignal).toBe(true);
    expect(breaker.lastFailureAt).toBe(start + 1_000);
    expect(breaker.health()).toMatchObject({
      state: 'closed',
      consecutive_successes: 0,
      consecutive_failures: 1,
      last_error: 'HTTP 503 from upstream',
      last_failure: start + 1_000,
      last_success: start,
    });
  });

  it('keeps the last failure description after a success', () => {
    const { clock, breaker, record } = setup();
    record({ kind: 'failure', detail: 'first-byte timeout after 120000 ms' });
    clock.advance(5_000);
    record(OK);
    expect(breaker.health()).toMatchObject({
      last_error: 'first-byte timeout after 120000 ms',
      last_success: clock.now(),
      consecutive_successes: 1,
      consecutive_failures: 0,
    });
  });

  it.each<[AttemptOutcome, string]>([
    [{ kind: 'failure', detail: 'TLS handshake failed' }, 'TLS handshake failed'],
    [{ kind: 'rate_limited', retry_after_ms: 1_000 }, 'rate limited (429)'],
    [{ kind: 'rate_limited', detail: 'HTTP 429: rate_limit_error' }, 'HTTP 429: rate_limit_error'],
    [{ kind: 'credential_rejected', status: 401 }, 'key rejected (401)'],
    [{ kind: 'credential_rejected', status: 403, detail: 'HTTP 403: permission_error' }, 'HTTP 403: permission_error'],
  ])('describes %o as exactly %j', (outcome, expected) => {
    const { breaker, record } = setup();
    record(outcome);
    expect(breaker.health().last_error).toBe(expected);
  });

  it('shows the ejection only while open', () => {
    const { clock, breaker, ejectByFailures } = setup();
    ejectByFailures();
    expect(breaker.health()).toMatchObject({ state: 'open', ejection_cause: 'failures', ejected_until: clock.now() + BASE_MS });
    clock.advance(BASE_MS);
    expect(breaker.health()).toMatchObject({ state: 'half_open', ejection_cause: null, ejected_until: null, ejection_count: 1 });
  });
});

describe('ejectionEndsAt', () => {
  it('is the time an ejection ends by itself, and null when none will', () => {
    const { clock, breaker, record, ejectByFailures } = setup();
    expect(breaker.ejectionEndsAt).toBeNull();
    ejectByFailures();
    expect(breaker.ejectionEndsAt).toBe(clock.now() + BASE_MS);
    // A longer 429 while out moves the end; a rejected key removes it.
    record({ kind: 'rate_limited', retry_after_ms: 60_000 });
    expect(breaker.ejectionEndsAt).toBe(clock.now() + 60_000);
    record({ kind: 'credential_rejected', status: 401 });
    expect(breaker.state).toBe('open');
    expect(breaker.ejectionEndsAt).toBeNull();
    record(OK);
    expect(breaker.ejectionEndsAt).toBeNull();
  });

  it('is null once the ejection has run out and the state has been read', () => {
    const { clock, breaker, ejectByFailures } = setup();
    ejectByFailures();
    clock.advance(BASE_MS);
    expect(breaker.state).toBe('half_open');
    expect(breaker.ejectionEndsAt).toBeNull();
  });
});
