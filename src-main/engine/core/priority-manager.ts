import type { Config } from '../../../src-shared/model/config.js';
import type { Settings } from '../../../src-shared/model/settings.js';
import { SERVING_TIERS, TIERS, isServingTier, type ServingTier, type Tier } from '../../../src-shared/model/tier.js';

/**
 * The seed's PriorityManager as pure functions over the settings document:
 * every change returns a new document, so it can be applied inside one
 * atomic, locked settings update.
 */

/** The tier a config is in, or undefined for an unknown config. */
export function tierOf(settings: Settings, name: string): Tier | undefined {
  return TIERS.find((tier) => settings.tiers[tier].includes(name));
}

/** 0-based position within its tier, or -1. */
export function positionOf(settings: Settings, name: string): number {
  const tier = tierOf(settings, name);
  return tier ? settings.tiers[tier].indexOf(name) : -1;
}

/** Whether a config's tier currently serves traffic. */
export function isServing(settings: Settings, name: string): boolean {
  const tier = tierOf(settings, name);
  return tier !== undefined && isServingTier(tier) && settings.tier_enabled[tier];
}

/** Names of all configs that may serve, best first: enabled tiers in order, then order within tier. */
export function servingOrder(settings: Settings): string[] {
  return SERVING_TIERS.filter((tier) => settings.tier_enabled[tier]).flatMap((tier) => settings.tiers[tier]);
}

/** Index in serving order (lower is better), or Infinity for a config that does not serve. */
export function rankOf(settings: Settings, name: string): number {
  const index = servingOrder(settings).indexOf(name);
  return index === -1 ? Number.POSITIVE_INFINITY : index;
}

/** The next serving config after `name` in tier order, or null (the seed's failover step). */
export function nextConfig(settings: Settings, name: string): string | null {
  const order = servingOrder(settings);
  const index = order.indexOf(name);
  // indexOf's -1 would otherwise answer the best config as "next" after an unknown one.
  if (index === -1) return null;
  return order[index + 1] ?? null;
}

/** The tier after `tier` in failover order (the seed's get_next_priority_group). */
export function nextTier(tier: ServingTier): ServingTier | null {
  return SERVING_TIERS[SERVING_TIERS.indexOf(tier) + 1] ?? null;
}

/** All groups with their configs, in tier order (the seed's list_priority_groups). */
export function listGroups(settings: Settings): { tier: Tier; enabled: boolean; configs: Config[] }[] {
  const byName = new Map(settings.configs.map((config) => [config.name, config]));
  return TIERS.map((tier) => ({
    tier,
    enabled: isServingTier(tier) ? settings.tier_enabled[tier] : false,
    configs: settings.tiers[tier].flatMap((name) => byName.get(name) ?? []),
  }));
}

/**
 * Puts `name` at `index` of `tier` (the end when omitted or past the end),
 * taking it out of wherever it was. Covers the seed's set_config_priority and
 * drag-to-reorder within and across tiers.
 */
export function moveConfig(settings: Settings, name: string, tier: Tier, index?: number): Settings {
  const tiers = removeFromTiers(settings, name).tiers;
  const target = [...tiers[tier]];
  const at = index === undefined ? target.length : Math.min(index, target.length);
  target.splice(at, 0, name);
  return { ...settings, tiers: { ...tiers, [tier]: target } };
}

/** Takes `name` out of every tier. */
export function removeFromTiers(settings: Settings, name: string): Settings {
  const tiers = { ...settings.tiers };
  for (const tier of TIERS) tiers[tier] = tiers[tier].filter((entry) => entry !== name);
  return { ...settings, tiers };
}

/** Renames `from` to `to` in place, keeping tier and position. */
export function renameInTiers(settings: Settings, from: string, to: string): Settings {
  const tiers = { ...settings.tiers };
  for (const tier of TIERS) tiers[tier] = tiers[tier].map((entry) => (entry === from ? to : entry));
  return { ...settings, tiers };
}

/** The seed's PriorityGroup.enabled for one serving tier. */
export function setTierEnabled(settings: Settings, tier: ServingTier, enabled: boolean): Settings {
  return { ...settings, tier_enabled: { ...settings.tier_enabled, [tier]: enabled } };
}
