import type { TierView } from '../../src-shared/contract/snapshot.js';
import { TIERS, type Tier } from '../../src-shared/model/tier.js';

/**
 * The maths of drag-to-reorder, kept pure so it can be tested without a DOM:
 * where a drop lands (`dropTarget`) and what the board shows until the engine
 * confirms it (`applyMove`, the same rule as the engine's `moveConfig`).
 */

/** Config names per tier, in priority order. */
export type TierLists = Record<Tier, readonly string[]>;

/** Where `priority:move` puts a config: `index` is its final position in `tier`. */
export interface MoveTarget {
  tier: Tier;
  index: number;
}

// A config name starts with a letter or digit and never contains ':', so a
// tier column's droppable id can never be mistaken for a card named "primary".
const TIER_DROP_PREFIX = 'tier:';

/** The droppable id of a tier column (the list that takes drops at its end). */
export function tierDropId(tier: Tier): string {
  return `${TIER_DROP_PREFIX}${tier}`;
}

/** The tier of a column's droppable id, or null for a card's id. */
export function tierOfDropId(id: string): Tier | null {
  if (!id.startsWith(TIER_DROP_PREFIX)) return null;
  const tier = id.slice(TIER_DROP_PREFIX.length);
  return (TIERS as readonly string[]).includes(tier) ? (tier as Tier) : null;
}

/** The snapshot's groups as name lists (a tier missing from the snapshot is empty). */
export function tierListsOf(groups: readonly TierView[]): TierLists {
  const lists = { primary: [], secondary: [], fallback: [], disabled: [] } as Record<Tier, string[]>;
  for (const group of groups) lists[group.tier] = group.configs.map((config) => config.name);
  return lists;
}

/** A config's tier and 0-based position, or null when no tier holds it. */
export function locate(tiers: TierLists, name: string): MoveTarget | null {
  for (const tier of TIERS) {
    const index = tiers[tier].indexOf(name);
    if (index !== -1) return { tier, index };
  }
  return null;
}

/**
 * Where dropping `activeId` over `overId` puts it, as `priority:move` wants it
 * (the position after the card is taken out of its old place), or null when
 * nothing would change.
 *
 * - Over a card of the same tier: that card's index (the dragged card takes its
 *   place and the cards between shift by one, like dnd-kit's `arrayMove`).
 * - Over a card of another tier: that card's index (it lands just before it).
 * - Over a tier column (`tierDropId`), e.g. an empty one or the space below the
 *   last card: the end of that tier.
 */
export function dropTarget(tiers: TierLists, activeId: string, overId: string): MoveTarget | null {
  const from = locate(tiers, activeId);
  if (from === null) return null;
  let target: MoveTarget;
  const overTier = tierOfDropId(overId);
  if (overTier !== null) {
    const others = tiers[overTier].filter((name) => name !== activeId);
    target = { tier: overTier, index: others.length };
  } else {
    const over = locate(tiers, overId);
    if (over === null) return null;
    target = over;
  }
  return target.tier === from.tier && target.index === from.index ? null : target;
}

/**
 * The tiers after moving `name` to `index` of `tier` (the end when omitted or
 * past the end), taken out of wherever it was: exactly the engine's
 * `moveConfig`, so the optimistic order is the order the engine will report.
 */
export function applyMove(tiers: TierLists, name: string, tier: Tier, index?: number): TierLists {
  const next = {} as Record<Tier, string[]>;
  for (const each of TIERS) next[each] = tiers[each].filter((entry) => entry !== name);
  const target = next[tier];
  const at = index === undefined ? target.length : Math.min(index, target.length);
  target.splice(at, 0, name);
  return next;
}

/** An arrow key while a card is picked up with the keyboard. */
export type KeyStep = 'up' | 'down' | 'left' | 'right';

/**
 * The next keyboard drop position from `at` (the card started at `from`): up
 * and down walk all tiers as one ladder (past the end of a tier into the
 * next), left and right jump to the neighbouring tier at the same height.
 */
export function keyboardStep(tiers: TierLists, from: MoveTarget, at: MoveTarget, step: KeyStep): MoveTarget {
  // The last position in a tier: its length, less one in the card's own tier.
  const last = (tier: Tier) => tiers[tier].length - (tier === from.tier ? 1 : 0);
  const tierIndex = TIERS.indexOf(at.tier);
  if (step === 'down') {
    if (at.index < last(at.tier)) return { tier: at.tier, index: at.index + 1 };
    const next = TIERS[tierIndex + 1];
    return next ? { tier: next, index: 0 } : at;
  }
  if (step === 'up') {
    if (at.index > 0) return { tier: at.tier, index: at.index - 1 };
    const previous = TIERS[tierIndex - 1];
    return previous ? { tier: previous, index: last(previous) } : at;
  }
  const neighbour = TIERS[tierIndex + (step === 'right' ? 1 : -1)];
  return neighbour ? { tier: neighbour, index: Math.min(at.index, last(neighbour)) } : at;
}

/**
 * The droppable to report as "over" for a drop position: the inverse of
 * `dropTarget`, so `dropTarget(tiers, activeId, overIdFor(tiers, activeId, t))`
 * is `t` (or null when `t` is where the card already is).
 */
export function overIdFor(tiers: TierLists, activeId: string, target: MoveTarget): string {
  const from = locate(tiers, activeId);
  if (from?.tier === target.tier) return tiers[target.tier][target.index] ?? activeId;
  return tiers[target.tier].filter((name) => name !== activeId)[target.index] ?? tierDropId(target.tier);
}
