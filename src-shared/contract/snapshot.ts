import type { AuthStyle } from '../model/config.js';
import type { ConfigHealth, EndpointHealth, EndpointStatsView } from '../model/health.js';
import type { FailoverPolicy } from '../model/policy.js';
import type { ServingTier, Tier } from '../model/tier.js';

/** An endpoint as the UI sees it: the key only as a hint. */
export interface EndpointView {
  id: string;
  base_url: string;
  key_hint: string;
  auth_style: AuthStyle;
  enabled: boolean;
  health: EndpointHealth;
  /** Recent success rate, latency and a sparkline's worth of outcomes. */
  stats: EndpointStatsView;
}

export interface ConfigView {
  name: string;
  description: string;
  tier: Tier;
  /** 0-based position within its tier. */
  position: number;
  active: boolean;
  message_probe: { model: string } | null;
  health: ConfigHealth;
  endpoints: EndpointView[];
  /** Why a manual switch to this config would be refused now (the engine's words), or null when it would be made. */
  switch_refusal: string | null;
}

export interface TierView {
  tier: Tier;
  /** Whether the tier serves traffic; `disabled` never does. */
  enabled: boolean;
  configs: ConfigView[];
}

/**
 * The one-glance state, in the tray's four colours:
 * `ok` top-ranked serving config active and healthy; `degraded` failed over or
 * degraded; `all_down` nothing can serve; `idle` no config to serve at all.
 */
export type OverallState = 'ok' | 'degraded' | 'all_down' | 'idle';

/** The local proxy as its host reports it: where Claude Code points, and whether it forwards. */
export interface ProxyView {
  url: string;
  /** Paused from the tray: requests get a 503 and nothing is forwarded. */
  paused: boolean;
}

/** Everything the dashboard, tray and CLI show. `revision` only grows. */
export interface EngineSnapshot {
  revision: number;
  active_config: string | null;
  pinned: boolean;
  overall: OverallState;
  policy: FailoverPolicy;
  tiers: TierView[];
  /** Problems found at start-up (e.g. a corrupt settings file moved aside). */
  problems: string[];
  tier_enabled: Record<ServingTier, boolean>;
  /** A running failover drill: the config treated as failed, until when (epoch ms). */
  drill: { config: string; until: number } | null;
  /** Where a failover drill started now would move traffic; null when none can start. */
  drill_target: string | null;
  /** The proxy of the host running this engine; null when none listens (e.g. a CLI-only session). */
  proxy: ProxyView | null;
}

/** The result of testing one endpoint now. */
export interface EndpointTestResult {
  outcome: 'success' | 'failure' | 'rate_limited' | 'credential_rejected' | 'neutral';
  /** What happened, in words; never contains a key. */
  detail: string;
  latency_ms: number | null;
  endpoint: EndpointView;
}
