import type { EngineSnapshot } from '../../src-shared/contract/snapshot.js';
import type { Tier } from '../../src-shared/model/tier.js';

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
