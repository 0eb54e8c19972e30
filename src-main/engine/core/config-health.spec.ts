import { describe, expect, it } from 'vitest';
import { ConfigSchema, type Config } from '../../../src-shared/model/config.js';
import { DEFAULT_POLICY, type FailoverPolicy } from '../../../src-shared/model/policy.js';
import { ConfigCounters, anotherEndpointServes, deriveConfigHealth } from './config-health.js';
import { EndpointBreaker } from './endpoint-breaker.js';
import type { AttemptOutcome } from './outcome.js';
import { FakeClock } from './testing/fakes.js';

// architecture.md §4.1: a config's health derives from its enabled endpoints'
// breakers, with the seed's health_percentage / is_healthy / is_fully_healthy.

const POLICY: FailoverPolicy = { ...DEFAULT_POLICY, failure_threshold: 3, ejection_base_time: 30 };
const OK: AttemptOutcome = { kind: 'success' };
const FAIL: AttemptOutcome = { kind: 'failure', detail: 'HTTP 502', status: 502 };
/** No other endpoint of the config serves (e.g. a single-endpoint config): every failure is the config's. */
const ALONE = (): boolean => false;
/** Another endpoint of the config still serves: a failure is the endpoint's matter. */
const OTHERS_SERVE = (): boolean => true;

function makeConfig(endpoints: { id: string; enabled?: boolean }[]): Config {
  return ConfigSchema.parse({
    name: 'production',
    endpoints: endpoints.map(({ id, enabled = true }) => ({ id, base_url: `https://${id}.example.com`, api_key: `sk-test-${id}-0000`, enabled })),
  });
}

function setup(endpoints: { id: string; enabled?: boolean }[]) {
  const clock = new FakeClock();
  const config = makeConfig(endpoints);
  const breakers = new Map(config.endpoints.map((endpoint) => [endpoint.id, new EndpointBreaker(clock)]));
  const counters = new ConfigCounters();
  const breakerOf = (id: string): EndpointBreaker => {
    const breaker = breakers.get(id);
    if (!breaker) throw new Error(`no breaker for ${id}`);
    return breaker;
  };
  const succeed = (id: string): void => breakerOf(id).record(OK, POLICY);
  const eject = (id: string): void => {
    for (let i = 0; i < POLICY.failure_threshold; i++) breakerOf(id).record(FAIL, POLICY);
  };
  const health = () => deriveConfigHealth(config, breakerOf, counters);
  return { clock, config, counters, breakerOf, succeed, eject, health };
}

const THREE = [{ id: 'ep-1' }, { id: 'ep-2' }, { id: 'ep-3' }];

describe('deriveConfigHealth: status', () => {
  it('is unknown before any endpoint gave a signal', () => {
    const { health } = setup(THREE);
    expect(health()).toMatchObject({ config_name: 'production', status: 'unknown', total_endpoints: 3 });
  });

  it('is unknown after only neutral outcomes (client errors are not a signal)', () => {
    const { breakerOf, health } = setup(THREE);
    breakerOf('ep-1').record({ kind: 'neutral' }, POLICY);
    expect(health().status).toBe('unknown');
  });

  it('is healthy when every endpoint is closed', () => {
    const { succeed, health } = setup(THREE);
    succeed('ep-1');
    expect(health().status).toBe('healthy');
  });

  it('is healthy while failures stay below the threshold', () => {
    const { breakerOf, health } = setup(THREE);
    breakerOf('ep-1').record(FAIL, POLICY);
    breakerOf('ep-1').record(FAIL, POLICY);
    expect(health()).toMatchObject({ status: 'healthy', healthy_endpoints: 3 });
  });

  it('is degraded when some endpoints are ejected', () => {
    const { eject, health } = setup(THREE);
    eject('ep-2');
    expect(health()).toMatchObject({ status: 'degraded', healthy_endpoints: 2, total_endpoints: 3 });
  });

  it('is unhealthy when every endpoint is ejected, whatever the cause', () => {
    const { breakerOf, eject, health } = setup(THREE);
    eject('ep-1');
    breakerOf('ep-2').record({ kind: 'rate_limited', retry_after_ms: 10_000 }, POLICY);
    breakerOf('ep-3').record({ kind: 'credential_rejected', status: 401 }, POLICY);
    expect(health()).toMatchObject({ status: 'unhealthy', healthy_endpoints: 0 });
  });

  it('recovers to healthy when the ejected endpoints close again', () => {
    const { clock, succeed, eject, health } = setup(THREE);
    eject('ep-1');
    eject('ep-2');
    eject('ep-3');
    expect(health().status).toBe('unhealthy');
    clock.advanceSeconds(POLICY.ejection_base_time);
    succeed('ep-1');
    expect(health().status).toBe('degraded');
    succeed('ep-2');
    succeed('ep-3');
    expect(health()).toMatchObject({ status: 'healthy', healthy_endpoints: 3 });
  });

  it('is unhealthy with no endpoints at all, with health_percentage 0', () => {
    const { health } = setup([]);
    expect(health()).toMatchObject({
      status: 'unhealthy',
      healthy_endpoints: 0,
      total_endpoints: 0,
      health_percentage: 0,
      is_healthy: false,
      is_fully_healthy: false,
    });
  });
});

describe('deriveConfigHealth: disabled endpoints', () => {
  const WITH_DISABLED = [{ id: 'ep-1' }, { id: 'ep-2' }, { id: 'ep-off', enabled: false }];

  it('leaves them out of the totals', () => {
    const { succeed, eject, health } = setup(WITH_DISABLED);
    succeed('ep-1');
    eject('ep-off');
    expect(health()).toMatchObject({
      status: 'healthy',
      healthy_endpoints: 2,
      total_endpoints: 2,
      health_percentage: 100,
      is_fully_healthy: true,
    });
  });

  it('does not count a signal from a disabled endpoint', () => {
    const { succeed, health } = setup(WITH_DISABLED);
    succeed('ep-off');
    expect(health().status).toBe('unknown');
  });

  it('is unhealthy when every endpoint is disabled', () => {
    const { succeed, health } = setup([{ id: 'ep-1', enabled: false }]);
    succeed('ep-1');
    expect(health()).toMatchObject({ status: 'unhealthy', total_endpoints: 0, health_percentage: 0, is_healthy: false });
  });
});

describe("deriveConfigHealth: the seed's derived fields", () => {
  it('1 of 3 serving → 33.33…%, is_healthy, not fully healthy', () => {
    const { eject, health } = setup(THREE);
    eject('ep-1');
    eject('ep-3');
    const result = health();
    expect(result.healthy_endpoints).toBe(1);
    expect(result.health_percentage).toBeCloseTo(100 / 3, 10);
    expect(result.is_healthy).toBe(true);
    expect(result.is_fully_healthy).toBe(false);
  });

  it('2 of 3 serving → 66.66…%', () => {
    const { eject, health } = setup(THREE);
    eject('ep-2');
    expect(health().health_percentage).toBeCloseTo(200 / 3, 10);
  });

  it('3 of 3 serving → 100%, healthy and fully healthy', () => {
    const { succeed, health } = setup(THREE);
    succeed('ep-1');
    expect(health()).toMatchObject({ health_percentage: 100, is_healthy: true, is_fully_healthy: true });
  });

  it('0 of 3 serving → 0%, neither healthy nor fully healthy', () => {
    const { eject, health } = setup(THREE);
    for (const { id } of THREE) eject(id);
    expect(health()).toMatchObject({ health_percentage: 0, is_healthy: false, is_fully_healthy: false });
  });

  it('does not count a half-open endpoint as serving until it proves itself', () => {
    const { clock, succeed, eject, health } = setup([{ id: 'ep-1' }, { id: 'ep-2' }]);
    succeed('ep-1');
    eject('ep-2');
    clock.advanceSeconds(POLICY.ejection_base_time);
    expect(health()).toMatchObject({ healthy_endpoints: 1, is_fully_healthy: false });
    succeed('ep-2');
    expect(health()).toMatchObject({ healthy_endpoints: 2, is_fully_healthy: true });
  });
});

describe('ConfigCounters', () => {
  it('starts empty', () => {
    const counters = new ConfigCounters();
    expect(counters).toMatchObject({ consecutiveFailures: 0, consecutiveSuccesses: 0, lastCheck: null, lastFailure: null, lastSuccess: null });
  });

  it('counts consecutive successes and failures, each resetting the other', () => {
    const counters = new ConfigCounters();
    counters.record(OK, 1_000, ALONE);
    counters.record(OK, 2_000, ALONE);
    expect(counters).toMatchObject({ consecutiveSuccesses: 2, consecutiveFailures: 0 });

    counters.record(FAIL, 3_000, ALONE);
    expect(counters).toMatchObject({ consecutiveSuccesses: 0, consecutiveFailures: 1 });
    counters.record({ kind: 'rate_limited', retry_after_ms: 500 }, 4_000, ALONE);
    counters.record({ kind: 'credential_rejected', status: 403 }, 5_000, ALONE);
    expect(counters).toMatchObject({ consecutiveSuccesses: 0, consecutiveFailures: 3 });

    counters.record(OK, 6_000, ALONE);
    expect(counters).toMatchObject({ consecutiveSuccesses: 1, consecutiveFailures: 0 });
  });

  it('stamps the last check, last failure and last success', () => {
    const counters = new ConfigCounters();
    counters.record(OK, 1_000, ALONE);
    counters.record(FAIL, 2_000, ALONE);
    expect(counters).toMatchObject({ lastCheck: 2_000, lastSuccess: 1_000, lastFailure: 2_000 });
    counters.record(OK, 3_000, ALONE);
    expect(counters).toMatchObject({ lastCheck: 3_000, lastSuccess: 3_000, lastFailure: 2_000 });
  });

  it('ignores neutral outcomes entirely', () => {
    const counters = new ConfigCounters();
    counters.record(OK, 1_000, ALONE);
    counters.record(OK, 2_000, ALONE);
    counters.record({ kind: 'neutral' }, 9_000, ALONE);
    expect(counters).toMatchObject({ consecutiveSuccesses: 2, consecutiveFailures: 0, lastCheck: 2_000, lastSuccess: 2_000, lastFailure: null });
  });

  it('is what deriveConfigHealth reports as the config-level counters', () => {
    const { counters, succeed, health } = setup(THREE);
    succeed('ep-1');
    counters.record(FAIL, 1_000, ALONE);
    counters.record(FAIL, 2_000, ALONE);
    expect(health()).toMatchObject({
      consecutive_failures: 2,
      consecutive_successes: 0,
      last_check: 2_000,
      last_failure: 2_000,
      last_success: null,
    });
  });

  it("leaves the success streak and last_failure alone for a failure while another endpoint serves, but notes the check", () => {
    const counters = new ConfigCounters();
    counters.record(OK, 1_000, ALONE);
    counters.record(OK, 2_000, ALONE);
    counters.record(FAIL, 3_000, OTHERS_SERVE);
    counters.record({ kind: 'rate_limited', retry_after_ms: 500 }, 4_000, OTHERS_SERVE);
    counters.record({ kind: 'credential_rejected', status: 401 }, 5_000, OTHERS_SERVE);
    expect(counters).toMatchObject({ consecutiveSuccesses: 2, consecutiveFailures: 0, lastSuccess: 2_000, lastFailure: null, lastCheck: 5_000 });
    counters.record(OK, 6_000, ALONE);
    expect(counters.consecutiveSuccesses).toBe(3);
  });

  it('does not let an absorbed failure break a run of config-level failures either', () => {
    const counters = new ConfigCounters();
    counters.record(FAIL, 1_000, ALONE);
    counters.record(FAIL, 2_000, OTHERS_SERVE);
    counters.record(FAIL, 3_000, ALONE);
    expect(counters).toMatchObject({ consecutiveFailures: 2, lastFailure: 3_000 });
  });

  it('counts successes whatever the other endpoints do', () => {
    const counters = new ConfigCounters();
    counters.record(FAIL, 1_000, ALONE);
    counters.record(OK, 2_000, OTHERS_SERVE);
    counters.record(OK, 3_000, ALONE);
    expect(counters).toMatchObject({ consecutiveSuccesses: 2, consecutiveFailures: 0, lastSuccess: 3_000 });
  });
});

describe('anotherEndpointServes', () => {
  it('is true only while another enabled endpoint is closed', () => {
    const { clock, config, breakerOf, succeed, eject } = setup([{ id: 'ep-1' }, { id: 'ep-2' }, { id: 'ep-off', enabled: false }]);
    const others = (id: string): boolean => anotherEndpointServes(config, id, breakerOf);
    expect(others('ep-1')).toBe(true); // ep-2 closed (no signal yet counts as closed)
    eject('ep-2');
    expect(others('ep-1')).toBe(false); // the endpoint itself does not count, nor does the disabled one
    expect(others('ep-2')).toBe(true);
    succeed('ep-off');
    expect(others('ep-1')).toBe(false);
    clock.advanceSeconds(POLICY.ejection_base_time);
    expect(breakerOf('ep-2').state).toBe('half_open');
    expect(others('ep-1')).toBe(false); // half-open has not proved itself yet
    succeed('ep-2');
    expect(others('ep-1')).toBe(true);
  });

  it('is false for a single-endpoint config', () => {
    const { config, breakerOf, succeed } = setup([{ id: 'ep-1' }]);
    succeed('ep-1');
    expect(anotherEndpointServes(config, 'ep-1', breakerOf)).toBe(false);
  });
});
