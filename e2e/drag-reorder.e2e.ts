import type { Locator, Page } from '@playwright/test';
import { Dashboard, expect, test } from './fixtures/test.js';
import type { QccStack } from './fixtures/stack.js';

// Drag-to-reorder with dnd-kit, with the mouse and with the keyboard, and the
// order surviving a daemon restart (the page is reopened from the new
// daemon's link, since its ports change).

/**
 * A mouse drag dnd-kit recognises (locator.dragTo() does not): press on the
 * handle, move a little in a few steps to pass the activation distance, glide
 * to the target, release.
 */
async function mouseDrag(page: Page, handle: Locator, target: Locator, where: 'upper' | 'lower' = 'upper'): Promise<void> {
  await handle.scrollIntoViewIfNeeded();
  const from = await handle.boundingBox();
  if (!from) throw new Error('drag handle has no box');
  const x = from.x + from.width / 2;
  const y = from.y + from.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + 6, y + 6, { steps: 5 });
  const to = await target.boundingBox();
  if (!to) throw new Error('drop target has no box');
  await page.mouse.move(to.x + to.width / 2, to.y + to.height * (where === 'upper' ? 0.25 : 0.75), { steps: 20 });
  await page.mouse.up();
}

type TierName = 'PRIMARY' | 'SECONDARY' | 'FALLBACK' | 'DISABLED';

/**
 * A keyboard drag: focus the handle, Space to pick up, arrow keys toward the
 * target, Space to drop. Which arrows depends on the board's layout and its
 * keyboard coordinate getter, so the direction is read from where things are
 * (the target column relative to the card's column, or up/down within a
 * column), and each press is checked — by what dnd-kit's live region tells a
 * screen reader, or by where the card is drawn — before the next. A press is
 * repeated if it had no effect: dnd-kit's KeyboardSensor starts listening for
 * arrows a moment after the Space that picks the card up.
 */
async function keyboardDrag(page: Page, ui: Dashboard, config: string, from: TierName, to: TierName, index: number): Promise<void> {
  const handle = ui.dragHandle(config);
  await handle.scrollIntoViewIfNeeded();
  await handle.focus();
  await expect(handle).toBeFocused();
  let key: string;
  if (from === to) {
    const names = await ui.cardNames(ui.tier(from));
    key = index < names.indexOf(config) ? 'ArrowUp' : 'ArrowDown';
  } else {
    const fromBox = await ui.tier(from).boundingBox();
    const toBox = await ui.tier(to).boundingBox();
    if (!fromBox || !toBox) throw new Error('tier columns have no boxes');
    const dx = toBox.x + toBox.width / 2 - (fromBox.x + fromBox.width / 2);
    const dy = toBox.y + toBox.height / 2 - (fromBox.y + fromBox.height / 2);
    key = Math.abs(dx) >= Math.abs(dy) ? (dx > 0 ? 'ArrowRight' : 'ArrowLeft') : dy > 0 ? 'ArrowDown' : 'ArrowUp';
  }

  await page.keyboard.press('Space');
  // Picked up: dnd-kit marks the handle pressed while its card is dragged.
  await expect(handle).toHaveAttribute('aria-pressed', 'true');
  let arrived = false;
  for (let step = 0; step < 8 && !arrived; step++) {
    await page.keyboard.press(key);
    arrived = await expect
      .poll(() => isAt(page, ui, config, to, index), { timeout: 1_500, intervals: [50, 100, 200] })
      .toBe(true)
      .then(
        () => true,
        () => false,
      );
  }
  if (!arrived) throw new Error(`keyboard drag of ${config} never reached ${to} position ${index + 1} (pressed ${key})`);
  await page.keyboard.press('Space');
  await expect(ui.dragHandle(config)).not.toHaveAttribute('aria-pressed', 'true');
}

/**
 * Whether a keyboard drag in progress points at position `index` of the tier:
 * dnd-kit's live region (what a screen reader hears) names the tier and
 * position, or the card is drawn there (over the column; at that rank among
 * its cards, when moving within the column).
 */
async function isAt(page: Page, ui: Dashboard, config: string, tier: TierName, index: number): Promise<boolean> {
  const announced = await page.locator('[id^="DndLiveRegion"]').allTextContents();
  if (announced.some((text) => new RegExp(`\\b${config}\\b.*\\b${tier}\\b.*\\bposition ${index + 1}\\b`).test(text))) return true;
  // Where the card is drawn, once its transform transition has finished.
  await page.evaluate(() => Promise.all(document.getAnimations().map((animation) => animation.finished.catch(() => undefined))));
  const column = await ui.tier(tier).boundingBox();
  const box = await ui.card(config).boundingBox();
  if (!column || !box) return false;
  const cx = box.x + Math.min(box.width / 2, 20);
  const cy = box.y + Math.min(box.height / 2, 20);
  if (cx < column.x || cx > column.x + column.width || cy < column.y || cy > column.y + column.height) return false;
  const tops = await ui.cardsIn(ui.tier(tier)).evaluateAll((cards) => cards.map((card) => ({ name: card.getAttribute('aria-label'), top: card.getBoundingClientRect().top })));
  const others = tops.filter((card) => card.name !== config);
  return others.filter((card) => card.top < box.y).length === index;
}

/** Restarts the daemon over the same QCC_HOME and reopens the dashboard from its new link. */
async function restartAndReopen(qcc: QccStack, ui: Dashboard): Promise<void> {
  await qcc.restart();
  await ui.open(qcc.daemon.dashboardUrl);
}

function engineOrder(qcc: QccStack): Record<string, string[]> {
  return Object.fromEntries(qcc.snapshot().tiers.map((group) => [group.tier, group.configs.map((config) => config.name)]));
}

test('drag a config from SECONDARY to PRIMARY with the mouse and back with the keyboard; the order survives restarts', async ({ qcc, page }) => {
  await qcc.start();
  await qcc.addThreeTiers();
  const ui = new Dashboard(page);
  await ui.open(qcc.daemon.dashboardUrl);
  await ui.expectTiers({ PRIMARY: ['production'], SECONDARY: ['backup'], FALLBACK: ['emergency'] });

  // Mouse: backup's handle onto the top half of production's card → backup lands before production.
  await mouseDrag(page, ui.dragHandle('backup'), ui.card('production'), 'upper');
  await ui.expectTiers({ PRIMARY: ['backup', 'production'], SECONDARY: [], FALLBACK: ['emergency'] });
  await expect.poll(() => engineOrder(qcc)).toMatchObject({ primary: ['backup', 'production'], secondary: [], fallback: ['emergency'] });

  await restartAndReopen(qcc, ui);
  await ui.expectTiers({ PRIMARY: ['backup', 'production'], SECONDARY: [], FALLBACK: ['emergency'] });

  // Keyboard: pick backup up with Space, arrow it over to the (now empty) SECONDARY column, drop with Space.
  await keyboardDrag(page, ui, 'backup', 'PRIMARY', 'SECONDARY', 0);
  await ui.expectTiers({ PRIMARY: ['production'], SECONDARY: ['backup'], FALLBACK: ['emergency'] });
  await expect.poll(() => engineOrder(qcc)).toMatchObject({ primary: ['production'], secondary: ['backup'], fallback: ['emergency'] });
  await expect(ui.dragHandle('backup')).toBeVisible();

  await restartAndReopen(qcc, ui);
  await ui.expectTiers({ PRIMARY: ['production'], SECONDARY: ['backup'], FALLBACK: ['emergency'] });

  // The CLI reads the same order from disk.
  const list = JSON.parse(await qcc.cliOk('priority', 'list', '--json')) as { tiers: { tier: string; configs: { name: string }[] }[] };
  expect(list.tiers.map((group) => [group.tier, group.configs.map((config) => config.name)])).toEqual([
    ['primary', ['production']],
    ['secondary', ['backup']],
    ['fallback', ['emergency']],
    ['disabled', []],
  ]);
});

test('reorder within a tier with the keyboard', async ({ qcc, page }) => {
  await qcc.start();
  await qcc.addThreeTiers();
  await qcc.engine.invoke('priority:move', { name: 'backup', tier: 'primary' });
  const ui = new Dashboard(page);
  await ui.open(qcc.daemon.dashboardUrl);
  await ui.expectTiers({ PRIMARY: ['production', 'backup'], SECONDARY: [] });

  // backup up one place within PRIMARY: Space, ArrowUp, Space.
  await keyboardDrag(page, ui, 'backup', 'PRIMARY', 'PRIMARY', 0);
  await ui.expectTiers({ PRIMARY: ['backup', 'production'], SECONDARY: [] });
  await expect.poll(() => engineOrder(qcc)['primary']).toEqual(['backup', 'production']);
  await expect(ui.activeConfig).toHaveText(qcc.snapshot().active_config ?? '');
});
