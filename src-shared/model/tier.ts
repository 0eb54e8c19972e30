import { z } from 'zod';

/** Priority tiers in failover order; `disabled` holds configs that never serve. */
export const TIERS = ['primary', 'secondary', 'fallback', 'disabled'] as const;
export type Tier = (typeof TIERS)[number];

/** The tiers that can serve traffic, highest priority first. */
export const SERVING_TIERS = ['primary', 'secondary', 'fallback'] as const;
export type ServingTier = (typeof SERVING_TIERS)[number];

export const TierSchema = z.enum(TIERS, {
  error: () => `must be one of ${TIERS.join(', ')}`,
});

export function isServingTier(tier: Tier): tier is ServingTier {
  return tier !== 'disabled';
}
