/** Breaker state of one endpoint (Envoy-style outlier ejection). */
export const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];

/** Why an endpoint is ejected. */
export type EjectionCause = 'failures' | 'rate_limited' | 'credential_rejected';

/** Derived status of a config, from its endpoints. */
export const HEALTH_STATUSES = ['healthy', 'degraded', 'unhealthy', 'unknown'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

/** What the UI and CLI see of one endpoint's health. Timestamps are epoch ms. */
export interface EndpointHealth {
  state: BreakerState;
  /** Set while open: why it was ejected. */
  ejection_cause: EjectionCause | null;
  /** When an open endpoint becomes half-open; null while closed or until a success (credential). */
  ejected_until: number | null;
  /** Ejections in a row so far (base × n each, capped); starts over after a calm spell longer than the cap. */
  ejection_count: number;
  /** The key was rejected (401/403); only a success clears this, not time. */
  credential_rejected: boolean;
  consecutive_failures: number;
  consecutive_successes: number;
  /** A short description of the last failure; never contains a key. */
  last_error: string | null;
  last_failure: number | null;
  last_success: number | null;
}

/** One outcome in an endpoint's recent window, for the dashboard's sparkline. Timestamps are epoch ms. */
export interface EndpointSample {
  at: number;
  ok: boolean;
  /** Time to first byte of a success; null for failures (and successes with no measurement). */
  latency_ms: number | null;
}

/**
 * An endpoint's recent traffic and probes, for the health bars: success rate
 * and median latency over a bounded window of its latest non-neutral outcomes.
 */
export interface EndpointStatsView {
  /** Share of successes in the window, 0..1; null before any outcome. */
  success_rate: number | null;
  /** Median time to first byte of the window's successes; null when none was measured. */
  latency_p50_ms: number | null;
  /** Outcomes behind `success_rate` and `latency_p50_ms` (at most the window size). */
  window: number;
  /** The latest outcomes, oldest first (a shorter tail of the window). */
  samples: EndpointSample[];
  /** Counts since the endpoint's stats started (a user edit of URL, key or auth style starts them over). */
  total: { successes: number; failures: number };
}

/**
 * The seed's ConfigHealth, with its derived properties as fields. Timestamps are epoch ms.
 * The counters are about the config, not its endpoints: a success on any endpoint
 * counts, but a failure (429 and 401/403 included) counts only when no other
 * enabled endpoint of the config was serving (breaker closed); otherwise it is
 * that endpoint's matter, seen in its EndpointHealth. So a degraded config
 * whose dead endpoint keeps failing its probes still builds a success streak.
 */
export interface ConfigHealth {
  config_name: string;
  status: HealthStatus;
  healthy_endpoints: number;
  total_endpoints: number;
  /** Failures in a row that the config could not serve through; a success resets it. */
  consecutive_failures: number;
  /** Successes in a row on any endpoint; only a failure the config could not serve through resets it. */
  consecutive_successes: number;
  /** Last success or failure of any endpoint, whether it counted against the config or not (neutral outcomes aside). */
  last_check: number | null;
  /** Last failure the config could not serve through; recovery_delay runs from here. */
  last_failure: number | null;
  last_success: number | null;
  health_percentage: number;
  is_healthy: boolean;
  is_fully_healthy: boolean;
}

/** The seed's health_percentage: share of endpoints that can serve, 0 with none. */
export function healthPercentage(healthy: number, total: number): number {
  return total === 0 ? 0 : (healthy / total) * 100;
}

/** The seed's is_healthy: at least one endpoint can serve. */
export function isHealthy(healthy: number): boolean {
  return healthy > 0;
}

/** The seed's is_fully_healthy: every endpoint can serve, and there is at least one. */
export function isFullyHealthy(healthy: number, total: number): boolean {
  return total > 0 && healthy === total;
}
