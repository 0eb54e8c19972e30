import { describe, expect, it } from 'vitest';
import { moveConfig } from '../../src-main/engine/core/priority-manager.js';
import type { ConfigView, TierView } from '../../src-shared/contract/snapshot.js';
import type { Settings } from '../../src-shared/model/settings.js';
import { TIERS } from '../../src-shared/model/tier.js';
import { applyMove, dropTarget, keyboardStep, locate, overIdFor, tierDropId, tierListsOf, tierOfDropId, type KeyStep, type MoveTarget, type TierLists } from './reorder.js';

const tiers = (): TierLists => ({
  primary: ['a', 'b', 'c', 'd'],
  secondary: ['s1', 's2'],
  fallback: ['f1'],
  disabled: [],
});

/** What the board shows after a drop: the drop target applied with the engine's rule. */
function drop(lists: TierLists, active: string, over: string): TierLists | null {
  const target = dropTarget(lists, active, over);
  return target === null ? null : applyMove(lists, active, target.tier, target.index);
}

describe('dropTarget', () => {
  it('moving down within a tier takes the position of the card it is dropped on', () => {
    expect(dropTarget(tiers(), 'a', 'c')).toEqual({ tier: 'primary', index: 2 });
    expect(drop(tiers(), 'a', 'c')?.primary).toEqual(['b', 'c', 'a', 'd']);
    expect(drop(tiers(), 'b', 'c')?.primary).toEqual(['a', 'c', 'b', 'd']);
  });

  it('moving up within a tier takes the position of the card it is dropped on', () => {
    expect(dropTarget(tiers(), 'd', 'b')).toEqual({ tier: 'primary', index: 1 });
    expect(drop(tiers(), 'd', 'b')?.primary).toEqual(['a', 'd', 'b', 'c']);
    expect(drop(tiers(), 'c', 'a')?.primary).toEqual(['c', 'a', 'b', 'd']);
  });

  it('moving to the last card of its own tier makes it last', () => {
    expect(dropTarget(tiers(), 'a', 'd')).toEqual({ tier: 'primary', index: 3 });
    expect(drop(tiers(), 'a', 'd')?.primary).toEqual(['b', 'c', 'd', 'a']);
  });

  it('moving across tiers lands just before the card it is dropped on', () => {
    expect(dropTarget(tiers(), 'b', 's2')).toEqual({ tier: 'secondary', index: 1 });
    const after = drop(tiers(), 'b', 's2');
    expect(after?.primary).toEqual(['a', 'c', 'd']);
    expect(after?.secondary).toEqual(['s1', 'b', 's2']);
    expect(drop(tiers(), 's1', 'a')?.primary).toEqual(['s1', 'a', 'b', 'c', 'd']);
    expect(drop(tiers(), 's1', 'a')?.secondary).toEqual(['s2']);
  });

  it('dropping on an empty tier puts the card there', () => {
    expect(dropTarget(tiers(), 'c', tierDropId('disabled'))).toEqual({ tier: 'disabled', index: 0 });
    const after = drop(tiers(), 'c', tierDropId('disabled'));
    expect(after?.disabled).toEqual(['c']);
    expect(after?.primary).toEqual(['a', 'b', 'd']);
  });

  it('dropping on another tier column (below its cards) puts the card at its end', () => {
    expect(dropTarget(tiers(), 'a', tierDropId('secondary'))).toEqual({ tier: 'secondary', index: 2 });
    expect(drop(tiers(), 'a', tierDropId('secondary'))?.secondary).toEqual(['s1', 's2', 'a']);
  });

  it('dropping on its own column moves the card to the end of its tier', () => {
    // After removal there are three others, so the end is index 3.
    expect(dropTarget(tiers(), 'a', tierDropId('primary'))).toEqual({ tier: 'primary', index: 3 });
    expect(drop(tiers(), 'b', tierDropId('primary'))?.primary).toEqual(['a', 'c', 'd', 'b']);
  });

  it('the only card of a tier can move into another tier, leaving its own empty', () => {
    const after = drop(tiers(), 'f1', 's1');
    expect(after?.fallback).toEqual([]);
    expect(after?.secondary).toEqual(['f1', 's1', 's2']);
  });

  it('is null when nothing would change', () => {
    expect(dropTarget(tiers(), 'b', 'b')).toBeNull();
    expect(dropTarget(tiers(), 'd', tierDropId('primary'))).toBeNull(); // already last
    expect(dropTarget(tiers(), 'f1', tierDropId('fallback'))).toBeNull(); // alone in its tier
  });

  it('is null for an unknown card or target', () => {
    expect(dropTarget(tiers(), 'ghost', 'a')).toBeNull();
    expect(dropTarget(tiers(), 'a', 'ghost')).toBeNull();
    expect(dropTarget(tiers(), 'a', 'tier:nowhere')).toBeNull();
  });
});

describe('applyMove (the engine moveConfig rule)', () => {
  it('clamps an index past the end to the end, and appends without an index', () => {
    expect(applyMove(tiers(), 'a', 'secondary', 99).secondary).toEqual(['s1', 's2', 'a']);
    expect(applyMove(tiers(), 'a', 'fallback').fallback).toEqual(['f1', 'a']);
  });

  it('moving to its own place changes nothing and never duplicates', () => {
    expect(applyMove(tiers(), 'b', 'primary', 1)).toEqual(tiers());
    const twice = applyMove(applyMove(tiers(), 'a', 'secondary', 0), 'a', 'secondary', 0);
    expect(twice).toEqual(applyMove(tiers(), 'a', 'secondary', 0));
  });

  it('does not mutate its input', () => {
    const before = tiers();
    const copy = structuredClone(before);
    applyMove(before, 'a', 'disabled', 0);
    expect(before).toEqual(copy);
  });

  it('gives what the engine moveConfig gives, for every card, tier and index', () => {
    const lists = tiers();
    const names = Object.values(lists).flat();
    for (const name of names) {
      for (const tier of TIERS) {
        for (const index of [undefined, 0, 1, 2, 3, 4, 10]) {
          const engine = moveConfig({ tiers: structuredClone(lists) } as unknown as Settings, name, tier, index).tiers;
          expect(applyMove(lists, name, tier, index)).toEqual(engine);
        }
      }
    }
  });

  it('agrees with every drop target for every pair of cards', () => {
    const lists = tiers();
    const names = Object.values(lists).flat();
    for (const active of names) {
      for (const over of names) {
        const target = dropTarget(lists, active, over);
        if (target === null) {
          expect(active).toBe(over);
          continue;
        }
        const after = applyMove(lists, active, target.tier, target.index);
        // The card ends exactly where the drop target said, and nothing is lost.
        expect(locate(after, active)).toEqual(target);
        expect(Object.values(after).flat().sort()).toEqual([...names].sort());
      }
    }
  });
});

describe('keyboard moves', () => {
  /** Where a card picked up with the keyboard ends after the given arrows. */
  function walk(lists: TierLists, name: string, steps: KeyStep[]): MoveTarget {
    const from = locate(lists, name) as MoveTarget;
    return steps.reduce((at, step) => keyboardStep(lists, from, at, step), from);
  }

  it('up and down move within the tier, skipping the card itself', () => {
    expect(walk(tiers(), 'a', ['down'])).toEqual({ tier: 'primary', index: 1 });
    expect(walk(tiers(), 'a', ['down', 'down', 'down'])).toEqual({ tier: 'primary', index: 3 });
    expect(walk(tiers(), 'c', ['up', 'up'])).toEqual({ tier: 'primary', index: 0 });
    expect(walk(tiers(), 'b', ['down', 'up'])).toEqual({ tier: 'primary', index: 1 });
  });

  it('down past the last place enters the next tier at the top; up past the top enters the previous tier at the end', () => {
    expect(walk(tiers(), 'c', ['down', 'down'])).toEqual({ tier: 'secondary', index: 0 });
    // Other tiers have one more place than cards: before each card, and the end.
    expect(walk(tiers(), 'c', ['down', 'down', 'down', 'down', 'down'])).toEqual({ tier: 'fallback', index: 0 });
    expect(walk(tiers(), 's1', ['up'])).toEqual({ tier: 'primary', index: 4 });
    expect(walk(tiers(), 'f1', ['up'])).toEqual({ tier: 'secondary', index: 2 });
  });

  it('stops at the very top and the very bottom', () => {
    expect(walk(tiers(), 'a', ['up', 'up'])).toEqual({ tier: 'primary', index: 0 });
    expect(walk(tiers(), 'f1', ['down', 'down', 'down'])).toEqual({ tier: 'disabled', index: 0 });
  });

  it('left and right jump tiers at the same height, clamped to the places there', () => {
    expect(walk(tiers(), 'd', ['right'])).toEqual({ tier: 'secondary', index: 2 });
    expect(walk(tiers(), 'a', ['right', 'right', 'right'])).toEqual({ tier: 'disabled', index: 0 });
    expect(walk(tiers(), 's2', ['left'])).toEqual({ tier: 'primary', index: 1 });
    expect(walk(tiers(), 'a', ['left'])).toEqual({ tier: 'primary', index: 0 });
  });

  it('every reachable position maps to a droppable that dropTarget reads back', () => {
    const lists = tiers();
    for (const name of Object.values(lists).flat()) {
      const from = locate(lists, name) as MoveTarget;
      let at = from;
      for (let i = 0; i < 12; i++) {
        at = keyboardStep(lists, from, at, 'down');
        const over = overIdFor(lists, name, at);
        const target = dropTarget(lists, name, over);
        expect(target ?? from).toEqual(at);
      }
    }
  });
});

describe('tier helpers', () => {
  it('tier drop ids round-trip and never parse a card name', () => {
    expect(tierOfDropId(tierDropId('fallback'))).toBe('fallback');
    expect(tierOfDropId('primary')).toBeNull();
    expect(tierOfDropId('production')).toBeNull();
  });

  it('reads name lists from snapshot groups', () => {
    const config = (name: string) => ({ name }) as ConfigView;
    const groups: TierView[] = [
      { tier: 'primary', enabled: true, configs: [config('x'), config('y')] },
      { tier: 'disabled', enabled: false, configs: [config('z')] },
    ];
    expect(tierListsOf(groups)).toEqual({ primary: ['x', 'y'], secondary: [], fallback: [], disabled: ['z'] });
  });
});
