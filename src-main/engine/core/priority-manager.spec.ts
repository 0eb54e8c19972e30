import { describe, expect, it } from 'vitest';
import { ConfigSchema, type Config } from '../../../src-shared/model/config.js';
import { SettingsSchema, emptySettings, type Settings } from '../../../src-shared/model/settings.js';
import { TIERS, type Tier } from '../../../src-shared/model/tier.js';
import { describeIssues } from '../../../src-shared/model/validation.js';
import {
  isServing,
  listGroups,
  moveConfig,
  nextConfig,
  nextTier,
  positionOf,
  rankOf,
  removeFromTiers,
  renameInTiers,
  servingOrder,
  setTierEnabled,
  tierOf,
} from './priority-manager.js';

// The seed's PriorityManager as pure functions over the settings document
// (architecture.md §3: drag-to-reorder edits tier and position).

function makeConfig(name: string): Config {
  return ConfigSchema.parse({
    name,
    endpoints: [{ id: 'ep-1', base_url: `https://${name}.example.com`, api_key: `sk-${name}-0000000000` }],
  });
}

/** A valid settings document with these configs in these tiers. */
function settingsWith(tiers: Partial<Record<Tier, string[]>>, tierEnabled: Partial<Settings['tier_enabled']> = {}): Settings {
  const base = emptySettings();
  const names = TIERS.flatMap((tier) => tiers[tier] ?? []);
  const settings: Settings = {
    ...base,
    configs: names.map(makeConfig),
    tiers: { ...base.tiers, ...tiers },
    tier_enabled: { ...base.tier_enabled, ...tierEnabled },
  };
  return expectValid(settings);
}

function expectValid(settings: Settings): Settings {
  const parsed = SettingsSchema.safeParse(settings);
  if (!parsed.success) throw new Error(describeIssues(parsed.error));
  return settings;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** primary: a b c d, secondary: e f, fallback: g, disabled: z */
const LADDER = { primary: ['a', 'b', 'c', 'd'], secondary: ['e', 'f'], fallback: ['g'], disabled: ['z'] };

describe('moveConfig within a tier (drag-to-reorder)', () => {
  it('drags down: the config ends up at the index it was dropped on', () => {
    const moved = moveConfig(settingsWith(LADDER), 'a', 'primary', 2);
    expect(moved.tiers.primary).toEqual(['b', 'c', 'a', 'd']);
    expect(positionOf(moved, 'a')).toBe(2);
  });

  it('drags down to the last slot', () => {
    const moved = moveConfig(settingsWith(LADDER), 'b', 'primary', 3);
    expect(moved.tiers.primary).toEqual(['a', 'c', 'd', 'b']);
  });

  it('drags up: the config ends up at the index it was dropped on', () => {
    const moved = moveConfig(settingsWith(LADDER), 'd', 'primary', 1);
    expect(moved.tiers.primary).toEqual(['a', 'd', 'b', 'c']);
    expect(positionOf(moved, 'd')).toBe(1);
  });

  it('drags up to the top', () => {
    const moved = moveConfig(settingsWith(LADDER), 'c', 'primary', 0);
    expect(moved.tiers.primary).toEqual(['c', 'a', 'b', 'd']);
    expect(servingOrder(moved)[0]).toBe('c');
  });

  it('leaves the order alone when dropped where it was', () => {
    const moved = moveConfig(settingsWith(LADDER), 'b', 'primary', 1);
    expect(moved.tiers.primary).toEqual(['a', 'b', 'c', 'd']);
  });

  it('puts it last when the index is past the end or omitted', () => {
    expect(moveConfig(settingsWith(LADDER), 'a', 'primary', 99).tiers.primary).toEqual(['b', 'c', 'd', 'a']);
    expect(moveConfig(settingsWith(LADDER), 'a', 'primary').tiers.primary).toEqual(['b', 'c', 'd', 'a']);
  });
});

describe('moveConfig across tiers', () => {
  it('takes the config out of its old tier and puts it at the index of the new one', () => {
    const moved = moveConfig(settingsWith(LADDER), 'b', 'secondary', 1);
    expect(moved.tiers.primary).toEqual(['a', 'c', 'd']);
    expect(moved.tiers.secondary).toEqual(['e', 'b', 'f']);
    expect(tierOf(moved, 'b')).toBe('secondary');
    expect(positionOf(moved, 'b')).toBe(1);
  });

  it('promotes a fallback config to the top of primary', () => {
    const moved = moveConfig(settingsWith(LADDER), 'g', 'primary', 0);
    expect(moved.tiers.fallback).toEqual([]);
    expect(servingOrder(moved)).toEqual(['g', 'a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('appends when the index is past the end of the new tier or omitted', () => {
    expect(moveConfig(settingsWith(LADDER), 'a', 'fallback', 7).tiers.fallback).toEqual(['g', 'a']);
    expect(moveConfig(settingsWith(LADDER), 'a', 'secondary').tiers.secondary).toEqual(['e', 'f', 'a']);
  });

  it('moving to disabled takes it out of serving; moving back makes it serve again', () => {
    const disabled = moveConfig(settingsWith(LADDER), 'c', 'disabled');
    expect(disabled.tiers.disabled).toEqual(['z', 'c']);
    expect(servingOrder(disabled)).not.toContain('c');
    expect(isServing(disabled, 'c')).toBe(false);
    expect(rankOf(disabled, 'c')).toBe(Number.POSITIVE_INFINITY);

    const back = moveConfig(disabled, 'c', 'secondary', 0);
    expect(back.tiers.disabled).toEqual(['z']);
    expect(isServing(back, 'c')).toBe(true);
    expect(servingOrder(back)).toEqual(['a', 'b', 'd', 'c', 'e', 'f', 'g']);
  });

  it('never leaves a config in two tiers, or drops one, whatever the move', () => {
    const start = settingsWith(LADDER);
    const names = TIERS.flatMap((tier) => start.tiers[tier]);
    for (const name of names) {
      for (const tier of TIERS) {
        for (let index = 0; index <= start.tiers[tier].length + 1; index++) {
          const moved = moveConfig(start, name, tier, index);
          const parsed = SettingsSchema.safeParse(moved);
          expect(parsed.success, `${name} → ${tier}[${index}]: ${parsed.success ? '' : describeIssues(parsed.error)}`).toBe(true);
          expect(TIERS.flatMap((t) => moved.tiers[t]).sort()).toEqual([...names].sort());
          expect(tierOf(moved, name)).toBe(tier);
        }
      }
    }
  });

  it('adds a config that was in no tier yet (a new config)', () => {
    const start = settingsWith(LADDER);
    const withNew: Settings = { ...start, configs: [...start.configs, makeConfig('n')] };
    const placed = moveConfig(withNew, 'n', 'secondary', 0);
    expect(placed.tiers.secondary).toEqual(['n', 'e', 'f']);
    expectValid(placed);
  });
});

describe('servingOrder and rankOf', () => {
  it('lists primary, then secondary, then fallback, each in its own order; never disabled', () => {
    expect(servingOrder(settingsWith(LADDER))).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  });

  it('skips a tier that is turned off', () => {
    const settings = settingsWith(LADDER, { secondary: false });
    expect(servingOrder(settings)).toEqual(['a', 'b', 'c', 'd', 'g']);
    expect(isServing(settings, 'e')).toBe(false);
    expect(rankOf(settings, 'e')).toBe(Number.POSITIVE_INFINITY);
    expect(rankOf(settings, 'g')).toBe(4);
  });

  it('ranks by position in serving order, lower is better', () => {
    const settings = settingsWith(LADDER);
    expect(rankOf(settings, 'a')).toBe(0);
    expect(rankOf(settings, 'd')).toBe(3);
    expect(rankOf(settings, 'e')).toBe(4);
    expect(rankOf(settings, 'g')).toBe(6);
    expect(rankOf(settings, 'z')).toBe(Number.POSITIVE_INFINITY);
    expect(rankOf(settings, 'nope')).toBe(Number.POSITIVE_INFINITY);
  });

  it('follows a reorder at once', () => {
    const settings = moveConfig(settingsWith(LADDER), 'f', 'primary', 0);
    expect(rankOf(settings, 'f')).toBe(0);
    expect(rankOf(settings, 'a')).toBe(1);
  });
});

describe('nextConfig and nextTier (the failover ladder)', () => {
  it('steps within a tier, then on to the next tier', () => {
    const settings = settingsWith(LADDER);
    expect(nextConfig(settings, 'a')).toBe('b');
    expect(nextConfig(settings, 'd')).toBe('e');
    expect(nextConfig(settings, 'f')).toBe('g');
  });

  it('returns null after the last serving config', () => {
    expect(nextConfig(settingsWith(LADDER), 'g')).toBeNull();
  });

  it('walks past a tier that is turned off', () => {
    expect(nextConfig(settingsWith(LADDER, { secondary: false }), 'd')).toBe('g');
  });

  it('returns null for a config that is not in the ladder', () => {
    const settings = settingsWith(LADDER);
    expect(nextConfig(settings, 'nope')).toBeNull();
  });

  it('orders the serving tiers primary → secondary → fallback', () => {
    expect(nextTier('primary')).toBe('secondary');
    expect(nextTier('secondary')).toBe('fallback');
    expect(nextTier('fallback')).toBeNull();
  });
});

describe('tierOf and positionOf', () => {
  it('tell where a config is', () => {
    const settings = settingsWith(LADDER);
    expect([tierOf(settings, 'c'), positionOf(settings, 'c')]).toEqual(['primary', 2]);
    expect([tierOf(settings, 'f'), positionOf(settings, 'f')]).toEqual(['secondary', 1]);
    expect([tierOf(settings, 'g'), positionOf(settings, 'g')]).toEqual(['fallback', 0]);
    expect([tierOf(settings, 'z'), positionOf(settings, 'z')]).toEqual(['disabled', 0]);
  });

  it('answer undefined and -1 for an unknown config', () => {
    const settings = settingsWith(LADDER);
    expect(tierOf(settings, 'nope')).toBeUndefined();
    expect(positionOf(settings, 'nope')).toBe(-1);
  });
});

describe('listGroups', () => {
  it('lists the four tiers in order with their configs in order and their enabled flag', () => {
    const settings = settingsWith(LADDER, { fallback: false });
    const groups = listGroups(settings);
    expect(groups.map((group) => ({ tier: group.tier, enabled: group.enabled, configs: group.configs.map((config) => config.name) }))).toEqual([
      { tier: 'primary', enabled: true, configs: ['a', 'b', 'c', 'd'] },
      { tier: 'secondary', enabled: true, configs: ['e', 'f'] },
      { tier: 'fallback', enabled: false, configs: ['g'] },
      { tier: 'disabled', enabled: false, configs: ['z'] },
    ]);
  });

  it('hands out the full configs, not only their names', () => {
    const settings = settingsWith(LADDER);
    const primary = listGroups(settings)[0];
    expect(primary?.configs[1]).toEqual(settings.configs.find((config) => config.name === 'b'));
  });
});

describe('renameInTiers', () => {
  it('keeps the tier and the position', () => {
    const start = settingsWith(LADDER);
    const renamed = renameInTiers(start, 'e', 'echo');
    expect(renamed.tiers.secondary).toEqual(['echo', 'f']);
    expect(tierOf(renamed, 'e')).toBeUndefined();
    expect(rankOf(renamed, 'echo')).toBe(rankOf(start, 'e'));
    const configs = renamed.configs.map((config) => (config.name === 'e' ? { ...config, name: 'echo' } : config));
    expectValid({ ...renamed, configs });
  });

  it('leaves everything else alone', () => {
    const start = settingsWith(LADDER);
    const renamed = renameInTiers(start, 'e', 'echo');
    expect({ ...renamed.tiers, secondary: [] }).toEqual({ ...start.tiers, secondary: [] });
  });
});

describe('removeFromTiers', () => {
  it('takes the config out of its tier, keeping the others in order', () => {
    const removed = removeFromTiers(settingsWith(LADDER), 'b');
    expect(removed.tiers.primary).toEqual(['a', 'c', 'd']);
    expect(tierOf(removed, 'b')).toBeUndefined();
    expect(servingOrder(removed)).toEqual(['a', 'c', 'd', 'e', 'f', 'g']);
    expectValid({ ...removed, configs: removed.configs.filter((config) => config.name !== 'b') });
  });

  it('changes nothing for a config that is in no tier', () => {
    const start = settingsWith(LADDER);
    expect(removeFromTiers(start, 'nope').tiers).toEqual(start.tiers);
  });
});

describe('setTierEnabled', () => {
  it('turns a serving tier off and on again, touching no other tier', () => {
    const start = settingsWith(LADDER);
    const off = setTierEnabled(start, 'primary', false);
    expect(off.tier_enabled).toEqual({ primary: false, secondary: true, fallback: true });
    expect(servingOrder(off)).toEqual(['e', 'f', 'g']);
    expect(off.tiers).toEqual(start.tiers);
    expectValid(off);

    const on = setTierEnabled(off, 'primary', true);
    expect(servingOrder(on)).toEqual(servingOrder(start));
  });
});

describe('immutability', () => {
  it('never changes the document it was given', () => {
    const frozen = deepFreeze(settingsWith(LADDER));
    const snapshot = structuredClone(frozen);
    // Frozen: a mutation throws in strict mode (ES modules), and the snapshot catches anything else.
    const results = [
      moveConfig(frozen, 'a', 'primary', 2),
      moveConfig(frozen, 'd', 'primary', 0),
      moveConfig(frozen, 'e', 'fallback', 0),
      moveConfig(frozen, 'g', 'disabled'),
      removeFromTiers(frozen, 'c'),
      renameInTiers(frozen, 'f', 'foxtrot'),
      setTierEnabled(frozen, 'secondary', false),
    ];
    expect(frozen).toEqual(snapshot);
    for (const result of results) expect(result).not.toBe(frozen);
  });

  it('returns a document that does not share changed lists with the input', () => {
    const start = settingsWith(LADDER);
    const moved = moveConfig(start, 'a', 'secondary', 0);
    moved.tiers.secondary.push('x');
    expect(start.tiers.secondary).toEqual(['e', 'f']);
    expect(start.tiers.primary).toEqual(['a', 'b', 'c', 'd']);
  });
});
