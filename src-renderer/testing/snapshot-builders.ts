import type { ConfigView, EndpointView, EngineSnapshot } from '../../src-shared/contract/snapshot.js';
import type { EndpointHealth } from '../../src-shared/model/health.js';
import { DEFAULT_POLICY } from '../../src-shared/model/policy.js';
import { TIERS, type Tier } from '../../src-shared/model/tier.js';

/** Endpoint health after a few successful checks: breaker closed, nothing rejected. */
export const HEALTHY_ENDPOINT: EndpointHealth = {
  state: 'closed',
  ejection_cause: null,
  ejected_until: null,
  ejection_count: 0,
  credential_rejected: false,
  consecutive_failures: 0,
  consecutive_successes: 3,
  last_error: null,
  last_failure: null,
  last_success: 1_000,
};

/** What an endpoint view may differ in: any field, and its health field by field. */
export type EndpointOverrides = Partial<Omit<EndpointView, 'id' | 'health'>> & { health?: Partial<EndpointHealth> };

/** An enabled, healthy `x-api-key` endpoint at `https://<id>.example.com` with a few recent samples. */
export function endpointView(id: string, overrides: EndpointOverrides = {}): EndpointView {
  const { health, ...fields } = overrides;
  return {
    id,
    base_url: `https://${id}.example.com`,
    key_hint: 'sk-…a1b2',
    auth_style: 'x-api-key',
    enabled: true,
    health: { ...HEALTHY_ENDPOINT, ...health },
    stats: {
      success_rate: 0.95,
      latency_p50_ms: 320,
      window: 20,
      samples: [
        { at: 1, ok: true, latency_ms: 300 },
        { at: 2, ok: false, latency_ms: null },
        { at: 3, ok: true, latency_ms: 340 },
      ],
      total: { successes: 19, failures: 1 },
    },
    ...fields,
  };
}

/** Where a config sits and how it is doing. */
export interface ConfigOptions {
  position?: number;
  active?: boolean;
  /** Share of its endpoints that serve: 100 healthy (the default), 0 unhealthy, else degraded. */
  percentage?: number;
}

/** A config described as `<name> config`, with the health its `percentage` implies. */
export function configView(name: string, tier: Tier, endpoints: EndpointView[], options: ConfigOptions = {}): ConfigView {
  const percentage = options.percentage ?? 100;
  return {
    name,
    description: `${name} config`,
    tier,
    position: options.position ?? 0,
    active: options.active ?? false,
    message_probe: null,
    endpoints,
    health: {
      config_name: name,
      status: percentage === 100 ? 'healthy' : percentage === 0 ? 'unhealthy' : 'degraded',
      healthy_endpoints: Math.round((endpoints.length * percentage) / 100),
      total_endpoints: endpoints.length,
      consecutive_failures: 0,
      consecutive_successes: 3,
      last_check: 1_000,
      last_failure: null,
      last_success: 1_000,
      health_percentage: percentage,
      is_healthy: percentage > 0,
      is_fully_healthy: percentage === 100,
    },
    switch_refusal: null,
  };
}

/** What a snapshot may differ in: any field, and which tiers are turned off (the disabled tier always is). */
export type SnapshotOverrides = Partial<Omit<EngineSnapshot, 'tiers' | 'tier_enabled'>> & { off?: Tier[] };

/**
 * A snapshot holding `configs` in their tiers (in the given order), the first
 * one active, the default policy, no proxy and no drill.
 */
export function engineSnapshot(configs: ConfigView[], overrides: SnapshotOverrides = {}): EngineSnapshot {
  const { off = [], ...fields } = overrides;
  const tiers = TIERS.map((tier) => ({
    tier,
    enabled: tier !== 'disabled' && !off.includes(tier),
    configs: configs.filter((config) => config.tier === tier),
  }));
  const on = (tier: Tier) => tiers.find((group) => group.tier === tier)?.enabled ?? true;
  return {
    revision: 1,
    active_config: configs[0]?.name ?? null,
    pinned: false,
    overall: configs.length > 0 ? 'ok' : 'idle',
    policy: { ...DEFAULT_POLICY },
    tiers,
    problems: [],
    tier_enabled: { primary: on('primary'), secondary: on('secondary'), fallback: on('fallback') },
    drill: null,
    drill_target: null,
    proxy: null,
    ...fields,
  };
}
