import { SERVING_TIERS } from '../model/tier.js';
import type { ConfigView, EngineSnapshot } from './snapshot.js';

/** The first choice: the first config of the first serving tier that is turned on. */
export function topRankedConfig(snapshot: EngineSnapshot): ConfigView | null {
  for (const tier of SERVING_TIERS) {
    const group = snapshot.tiers.find((entry) => entry.tier === tier);
    const first = group?.enabled ? group.configs[0] : undefined;
    if (first !== undefined) return first;
  }
  return null;
}

/**
 * Why the engine reports `degraded`, as the tray and the dashboard word it:
 * - `failed-over`: another config serves because the first choice is not healthy;
 * - `off-first-choice`: another config serves while the first choice is healthy
 *   (it was just moved to the top, a config is pinned, or recovery is waiting out its delay);
 * - `degraded`: the first choice serves, with some of its endpoints ejected.
 * Telling the first two apart keeps a plain reorder from reading as an outage.
 */
export function degradedReason(snapshot: EngineSnapshot): 'failed-over' | 'off-first-choice' | 'degraded' {
  const top = topRankedConfig(snapshot);
  if (top === null || snapshot.active_config === null || snapshot.active_config === top.name) return 'degraded';
  return top.health.status === 'healthy' ? 'off-first-choice' : 'failed-over';
}
