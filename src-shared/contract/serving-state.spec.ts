import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../model/policy.js';
import { TIERS, type Tier } from '../model/tier.js';
import { degradedReason, topRankedConfig } from './serving-state.js';
import type { ConfigView, EngineSnapshot } from './snapshot.js';

function config(name: string, tier: Tier, status: ConfigView['health']['status'] = 'healthy'): ConfigView {
  return {
    name,
    description: '',
    tier,
    position: 0,
    active: false,
    message_probe: null,
    endpoints: [],
    switch_refusal: null,
    health: {
      config_name: name,
      status,
      healthy_endpoints: status === 'unhealthy' ? 0 : 1,
      total_endpoints: 2,
      consecutive_failures: 0,
      consecutive_successes: 0,
      last_check: null,
      last_failure: null,
      last_success: null,
      health_percentage: status === 'healthy' ? 100 : status === 'unhealthy' ? 0 : 50,
      is_healthy: status !== 'unhealthy',
      is_fully_healthy: status === 'healthy',
    },
  };
}

function snapshot(configs: ConfigView[], active: string | null, off: Tier[] = []): EngineSnapshot {
  return {
    revision: 1,
    active_config: active,
    pinned: false,
    overall: 'degraded',
    policy: { ...DEFAULT_POLICY },
    tiers: TIERS.map((tier) => ({ tier, enabled: tier !== 'disabled' && !off.includes(tier), configs: configs.filter((c) => c.tier === tier) })),
    problems: [],
    tier_enabled: { primary: !off.includes('primary'), secondary: !off.includes('secondary'), fallback: !off.includes('fallback') },
    drill: null,
    drill_target: null,
    proxy: null,
  };
}

describe('topRankedConfig', () => {
  it('is the first config of the first serving tier that is turned on', () => {
    const configs = [config('production', 'primary'), config('backup', 'secondary'), config('retired', 'disabled')];
    expect(topRankedConfig(snapshot(configs, 'production'))?.name).toBe('production');
    expect(topRankedConfig(snapshot(configs, 'backup', ['primary']))?.name).toBe('backup');
    expect(topRankedConfig(snapshot([config('retired', 'disabled')], null))).toBeNull();
  });
});

describe('degradedReason', () => {
  const pair = (top: ConfigView['health']['status'], active: string) => snapshot([config('production', 'primary', top), config('backup', 'secondary')], active);

  it('calls another config serving while the first choice is not healthy a failover', () => {
    expect(degradedReason(pair('unhealthy', 'backup'))).toBe('failed-over');
    expect(degradedReason(pair('degraded', 'backup'))).toBe('failed-over');
  });

  it('does not call it a failover when the first choice is healthy (a reorder, a pin, the recovery delay)', () => {
    expect(degradedReason(pair('healthy', 'backup'))).toBe('off-first-choice');
  });

  it('is plain degraded when the first choice itself serves', () => {
    expect(degradedReason(pair('degraded', 'production'))).toBe('degraded');
  });
});
