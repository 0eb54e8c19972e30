import type { Page } from '@playwright/test';
import { Dashboard, expect, saveScreenshot, test } from './fixtures/test.js';

// Light and dark (the system's colour scheme), and a small 900×600 window.

/** Relative luminance (0 black … 1 white) of the page's visible background. */
function backgroundLuminance(page: Page): Promise<number> {
  return page.evaluate(() => {
    const candidates = [document.querySelector('#root > *'), document.body, document.documentElement];
    let colour = 'rgb(255, 255, 255)';
    for (const element of candidates) {
      if (!element) continue;
      const background = getComputedStyle(element).backgroundColor;
      const alpha = /rgba\([^)]*,\s*([\d.]+)\)/.exec(background);
      if (background !== 'transparent' && !(alpha && Number(alpha[1]) === 0)) {
        colour = background;
        break;
      }
    }
    const [r, g, b] = (colour.match(/[\d.]+/g) ?? ['255', '255', '255']).slice(0, 3).map((part) => {
      const c = Number(part) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  });
}

/** Luminance of an element's text colour. */
function textLuminance(page: Page, selector: string): Promise<number> {
  return page.locator(selector).first().evaluate((element) => {
    const [r, g, b] = (getComputedStyle(element).color.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map((part) => {
      const c = Number(part) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  });
}

const contrast = (a: number, b: number) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);

test('light and dark colour schemes', async ({ qcc, page }, testInfo) => {
  await qcc.start();
  await qcc.addThreeTiers();
  const ui = new Dashboard(page);

  await page.emulateMedia({ colorScheme: 'light' });
  await ui.open(qcc.daemon.dashboardUrl);
  await ui.expectTiers({ PRIMARY: ['production'], SECONDARY: ['backup'], FALLBACK: ['emergency'] });
  const lightBackground = await backgroundLuminance(page);
  expect(lightBackground, 'light scheme: light background').toBeGreaterThan(0.6);
  expect(contrast(lightBackground, await textLuminance(page, 'body')), 'light scheme: readable body text').toBeGreaterThan(4.5);

  await page.emulateMedia({ colorScheme: 'dark' });
  await expect.poll(() => backgroundLuminance(page), { message: 'dark scheme: dark background' }).toBeLessThan(0.1);
  const darkBackground = await backgroundLuminance(page);
  expect(contrast(darkBackground, await textLuminance(page, 'body')), 'dark scheme: readable body text').toBeGreaterThan(4.5);
  expect(contrast(darkBackground, await textLuminance(page, '[data-testid="active-config"]')), 'dark scheme: readable header').toBeGreaterThan(3);
  await expect(ui.overallStatus).toHaveAttribute('data-state', 'ok');
  await ui.expectTiers({ PRIMARY: ['production'], SECONDARY: ['backup'], FALLBACK: ['emergency'] });
  await saveScreenshot(page, testInfo, 'dark-mode');
});

test('works at 900×600', async ({ qcc, page }, testInfo) => {
  await page.setViewportSize({ width: 900, height: 600 });
  await qcc.start();
  await qcc.addThreeTiers();
  const ui = new Dashboard(page);
  await ui.open(qcc.daemon.dashboardUrl);
  await ui.expectTiers({ PRIMARY: ['production'], SECONDARY: ['backup'], FALLBACK: ['emergency'] });

  // No sideways scrolling; the header is on screen; everything else is reachable by scrolling down.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, 'no horizontal overflow at 900 px').toBeLessThanOrEqual(0);
  await expect(ui.overallStatus).toBeInViewport();
  await expect(ui.activeConfig).toBeInViewport();
  await expect(ui.tier('PRIMARY')).toBeInViewport();
  for (const config of ['production', 'backup', 'emergency']) {
    const card = ui.card(config);
    await card.scrollIntoViewIfNeeded();
    await expect(card).toBeInViewport();
    const box = await card.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 900, `${config} card fits the width`).toBe(true);
  }
  await ui.history.scrollIntoViewIfNeeded();
  await expect(ui.history).toBeInViewport();
  await page.getByRole('region', { name: 'Failover policy' }).scrollIntoViewIfNeeded();
  await expect(page.getByRole('region', { name: 'Failover policy' })).toBeInViewport();

  await page.evaluate(() => window.scrollTo(0, 0));
  await expect(ui.overallStatus).toBeInViewport();
  await saveScreenshot(page, testInfo, '900x600');

  // The main actions still work at this size: the card menu opens.
  await ui.cardMenu('backup').click();
  await expect(page.getByRole('menuitem', { name: 'Switch to', exact: true })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menuitem', { name: 'Switch to', exact: true })).toBeHidden();
});
