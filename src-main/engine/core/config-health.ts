import type { Config } from '../../../src-shared/model/config.js';
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
 * Config-level counters of the seed's ConfigHealth: every outcome on any of a
 * config's endpoints counts as one check of the config. Recovery reads these.
 */
export class ConfigCounters {
  consecutiveFailures = 0;
  consecutiveSuccesses = 0;
  lastCheck: number | null = null;
  lastFailure: number | null = null;
  lastSuccess: number | null = null;

  record(outcome: AttemptOutcome, now: number): void {
    if (outcome.kind === 'neutral') return;
    this.lastCheck = now;
    if (outcome.kind === 'success') {
      this.consecutiveSuccesses += 1;
      this.consecutiveFailures = 0;
      this.lastSuccess = now;
    } else {
      this.consecutiveFailures += 1;
      this.consecutiveSuccesses = 0;
      this.lastFailure = now;
    }
  }
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
  const breakers = config.endpoints.filter((endpoint) => endpoint.enabled).map((endpoint) => breakerOf(endpoint.id));
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
