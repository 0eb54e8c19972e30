import type { ConfigView, EndpointView, EngineSnapshot } from '../../../src-shared/contract/snapshot.js';
import type { FailoverEvent } from '../../../src-shared/model/event.js';
import type { FailoverPolicy } from '../../../src-shared/model/policy.js';
import type { Tier } from '../../../src-shared/model/tier.js';

const TIER_ICONS: Record<Tier, string> = { primary: '⭐', secondary: '🔵', fallback: '🟡', disabled: '⚪' };

/** The seed's `qcc priority list` output, in English: tiers with icons, enabled mark and `(active)`. */
export function formatPriorityList(snapshot: EngineSnapshot): string {
  const lines: string[] = [];
  for (const group of snapshot.tiers) {
    if (group.tier === 'disabled' && group.configs.length === 0) continue;
    lines.push(`${TIER_ICONS[group.tier]} ${group.tier.toUpperCase()} [${group.enabled ? '✓' : '✗'}]`);
    if (group.configs.length === 0) lines.push('  (no configs)');
    for (const config of group.configs) {
      const active = config.active ? (snapshot.pinned ? ' (active, pinned)' : ' (active)') : '';
      const health = `${config.health.healthy_endpoints}/${config.health.total_endpoints} endpoints, ${config.health.status}`;
      lines.push(`  • ${config.name}${active} — ${health}`);
    }
    lines.push('');
  }
  lines.push(snapshot.active_config ? `Active config: ${snapshot.active_config}` : 'No active config.');
  return lines.join('\n');
}

/** All configs, one line each, best first. */
export function formatConfigList(snapshot: EngineSnapshot): string {
  const configs = snapshot.tiers.flatMap((group) => group.configs);
  if (configs.length === 0) return 'No configs yet. Add one: qcc add NAME --base-url URL --api-key KEY';
  const width = Math.max(...configs.map((c) => c.name.length));
  const lines = configs.map((config) => {
    const marker = config.active ? '▶' : ' ';
    const health = `${config.health.healthy_endpoints}/${config.health.total_endpoints} ${config.health.status}`;
    const description = config.description ? `  ${config.description}` : '';
    return `${marker} ${TIER_ICONS[config.tier]} ${config.name.padEnd(width)}  ${`${config.tier} #${config.position + 1}`.padEnd(13)} ${health}${description}`;
  });
  return [`Configs (${configs.length}):`, ...lines].join('\n');
}

/** The endpoints of one config: id, URL, key hint, auth style, breaker state. */
export function formatEndpoints(config: ConfigView): string {
  if (config.endpoints.length === 0) return `${config.name} has no endpoints. Add one: qcc endpoint add ${config.name} --base-url URL --api-key KEY`;
  const lines = config.endpoints.map((endpoint) => {
    const state = endpoint.enabled ? describeEndpointState(endpoint) : 'disabled';
    return `  ${endpoint.id}  ${endpoint.base_url}  key ${endpoint.key_hint} (${endpoint.auth_style})  ${state}`;
  });
  return [`Endpoints of ${config.name}:`, ...lines].join('\n');
}

function describeEndpointState(endpoint: EndpointView): string {
  const { health } = endpoint;
  if (health.credential_rejected) return health.last_error?.startsWith('key rejected') ? health.last_error : `key rejected${health.last_error ? `: ${health.last_error}` : ''}`;
  if (health.state === 'open') return `ejected (${health.ejection_cause ?? 'failures'})${health.last_error ? `: ${health.last_error}` : ''}`;
  if (health.state === 'half_open') return 'half-open (next request decides)';
  if (health.consecutive_failures > 0) return `failing (${health.consecutive_failures} in a row, not yet ejected): ${health.last_error ?? 'unknown error'}`;
  return health.last_success !== null || health.last_failure !== null ? 'healthy' : 'not checked yet';
}

const EVENT_ICONS: Record<string, string> = { failover: '🔄', recovery: '✅', manual: '👤', all_down: '🚨', recovery_paused: '⏸', reassigned: '↪' };

/** The seed's `priority history`: newest first, type, time, from, to, reason. */
export function formatHistory(events: readonly FailoverEvent[]): string {
  if (events.length === 0) return 'No failover history yet.';
  const blocks = events.map((event) =>
    [
      `${EVENT_ICONS[event.event_type] ?? '📝'} ${event.event_type.toUpperCase()}`,
      `   Time:   ${event.timestamp}`,
      `   From:   ${event.from_config ?? '-'}`,
      `   To:     ${event.to_config ?? '-'}`,
      `   Reason: ${event.reason}`,
    ].join('\n'),
  );
  return [`Failover history (latest ${events.length}):`, '', blocks.join('\n\n')].join('\n');
}

const POLICY_LINES: [keyof FailoverPolicy, string, (value: never) => string][] = [
  ['auto_failover_enabled', 'Auto failover', (v: boolean) => (v ? '✓' : '✗')],
  ['auto_recovery_enabled', 'Auto recovery', (v: boolean) => (v ? '✓' : '✗')],
  ['failure_threshold', 'Failure threshold', (v: number) => `${v} failures`],
  ['success_threshold', 'Success threshold', (v: number) => `${v} checks`],
  ['check_interval', 'Check interval', (v: number) => `${v} s`],
  ['cooldown_period', 'Cooldown', (v: number) => `${v} s`],
  ['recovery_delay', 'Recovery delay', (v: number) => `${v} s`],
  ['max_failovers_per_hour', 'Max failovers per hour', (v: number) => `${v}`],
  ['notify_on_failover', 'Notify on failover', (v: boolean) => (v ? '✓' : '✗')],
  ['notify_on_recovery', 'Notify on recovery', (v: boolean) => (v ? '✓' : '✗')],
  ['ejection_base_time', 'Ejection base time', (v: number) => `${v} s`],
  ['ejection_max_time', 'Ejection max time', (v: number) => `${v} s`],
  ['connect_timeout_ms', 'Connect timeout', (v: number) => `${v} ms`],
  ['first_byte_timeout_ms', 'First-byte timeout', (v: number) => `${v} ms`],
  ['stream_idle_timeout_ms', 'Stream idle timeout', (v: number) => `${v} ms`],
  ['max_attempts_per_request', 'Max attempts per request', (v: number) => `${v}`],
];

/** Every policy knob with its unit. */
export function formatPolicy(policy: FailoverPolicy): string {
  return POLICY_LINES.map(([key, label, render]) => `  ${`${label}:`.padEnd(26)} ${render(policy[key] as never)}`).join('\n');
}

/** Health per config and endpoint, after a check. */
export function formatHealth(snapshot: EngineSnapshot): string {
  const configs = snapshot.tiers.flatMap((group) => group.configs);
  if (configs.length === 0) return 'No configs to check.';
  const lines = [`Overall: ${snapshot.overall}${snapshot.active_config ? ` (active: ${snapshot.active_config})` : ''}`, ''];
  for (const config of configs) {
    const { health } = config;
    const filled = Math.round(health.health_percentage / 10);
    lines.push(
      `${TIER_ICONS[config.tier]} ${config.name}${config.active ? ' (active)' : ''}  [${'█'.repeat(filled)}${'░'.repeat(10 - filled)}] ${health.health_percentage.toFixed(0)}%  ${health.status}`,
    );
    for (const endpoint of config.endpoints) {
      const latency = endpoint.stats.latency_p50_ms !== null ? `  p50 ${Math.round(endpoint.stats.latency_p50_ms)} ms` : '';
      lines.push(`    ${endpoint.id}  ${endpoint.base_url}  ${endpoint.enabled ? describeEndpointState(endpoint) : 'disabled'}${latency}`);
    }
  }
  return lines.join('\n');
}

/** `priority list --json`: the active config, the pin, and the tiers with their configs' names and health. */
export function priorityListJson(snapshot: EngineSnapshot) {
  return {
    active: snapshot.active_config,
    pinned: snapshot.pinned,
    overall: snapshot.overall,
    tiers: snapshot.tiers.map((group) => ({
      tier: group.tier,
      enabled: group.enabled,
      configs: group.configs.map((config) => ({
        name: config.name,
        position: config.position,
        active: config.active,
        health: {
          status: config.health.status,
          healthy_endpoints: config.health.healthy_endpoints,
          total_endpoints: config.health.total_endpoints,
          health_percentage: config.health.health_percentage,
        },
      })),
    })),
  };
}
