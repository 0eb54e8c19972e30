import { endpointCanServe, type Config } from '../../../src-shared/model/config.js';
import {
  healthPercentage,
  isFullyHealthy,
  isHealthy,
  type ConfigHealth,
  type HealthStatus,
} from '../../../src-shared/model/health.js';
import type { EndpointBreaker } from './endpoint-breaker.js';
import type { AttemptOutcome } from './outcome.js';

/**
 * Config-level counters of the seed's ConfigHealth, which recovery reads. A
 * check counts against the config only when the config could not serve
 * without the endpoint that failed (the seed counts checks of a config that is
 * not is_healthy): a failure while another endpoint still serves is that
 * endpoint's matter, handled by its breaker. Otherwise a degraded config whose
 * dead endpoint fails every probe would never look recovered.
 */
export class ConfigCounters {
  consecutiveFailures = 0;
  consecutiveSuccesses = 0;
  lastCheck: number | null = null;
  lastFailure: number | null = null;
  lastSuccess: number | null = null;

  /**
   * Records one outcome on one of the config's endpoints. `anotherServes` is
   * asked only for a failure (429 and 401/403 included): whether another
   * enabled endpoint of the config is closed, so the config served on.
   */
  record(outcome: AttemptOutcome, now: number, anotherServes: () => boolean): void {
    if (outcome.kind === 'neutral') return;
    this.lastCheck = now;
    if (outcome.kind === 'success') {
      this.consecutiveSuccesses += 1;
      this.consecutiveFailures = 0;
      this.lastSuccess = now;
      return;
    }
    if (anotherServes()) return;
    this.consecutiveFailures += 1;
    this.consecutiveSuccesses = 0;
    this.lastFailure = now;
  }
}

/**
 * Whether an enabled endpoint of `config` other than `endpointId` is closed.
 * Half-open does not count: it has not proved itself since its ejection.
 */
export function anotherEndpointServes(
  config: Config,
  endpointId: string,
  breakerOf: (endpointId: string) => EndpointBreaker,
): boolean {
  return config.endpoints.some((endpoint) => endpointCanServe(endpoint) && endpoint.id !== endpointId && breakerOf(endpoint.id).state === 'closed');
}

/**
 * Derives a config's health from its enabled endpoints' breakers:
 * `unknown` before any signal, `unhealthy` when none is closed (or there are
 * none), `degraded` when some are not closed, `healthy` when all are.
 */
export function deriveConfigHealth(
  config: Config,
  breakerOf: (endpointId: string) => EndpointBreaker,
  counters: ConfigCounters,
): ConfigHealth {
  const breakers = config.endpoints.filter(endpointCanServe).map((endpoint) => breakerOf(endpoint.id));
  const total = breakers.length;
  const healthy = breakers.filter((breaker) => breaker.state === 'closed').length;
  return {
    config_name: config.name,
    status: statusOf(healthy, total, breakers.some((breaker) => breaker.hasSignal)),
    healthy_endpoints: healthy,
    total_endpoints: total,
    consecutive_failures: counters.consecutiveFailures,
    consecutive_successes: counters.consecutiveSuccesses,
    last_check: counters.lastCheck,
    last_failure: counters.lastFailure,
    last_success: counters.lastSuccess,
    health_percentage: healthPercentage(healthy, total),
    is_healthy: isHealthy(healthy),
    is_fully_healthy: isFullyHealthy(healthy, total),
  };
}

function statusOf(healthy: number, total: number, hasSignal: boolean): HealthStatus {
  if (total === 0) return 'unhealthy';
  if (!hasSignal) return 'unknown';
  if (healthy === 0) return 'unhealthy';
  return healthy < total ? 'degraded' : 'healthy';
}
