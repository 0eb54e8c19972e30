import type { Locator, Page } from '@playwright/test';
import { Dashboard, expect, saveScreenshot, test } from './fixtures/test.js';
import { upstreamKey, type QccStack } from './fixtures/stack.js';

// The seed's four usage scenarios, end to end: real Chromium, the real daemon,
// fake upstreams. Every change after the first load arrives over the event
// stream; no test reloads the page (a marker on `window` proves it).

/** Marks the page so a later check can prove it was never reloaded. */
async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __qccNoReload: boolean }).__qccNoReload = true;
  });
}

async function expectNotReloaded(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __qccNoReload?: boolean }).__qccNoReload === true), 'page was not reloaded').toBe(true);
}

/** Every colour the status element and its descendants paint with: it must change when the state does. */
function colourSignature(status: Locator): Promise<string> {
  return status.evaluate((root) => {
    const parts: string[] = [];
    for (const element of [root, ...Array.from(root.querySelectorAll('*'))]) {
      const style = getComputedStyle(element);
      parts.push(style.color, style.backgroundColor, style.borderTopColor, style.fill, style.outlineColor, style.boxShadow);
    }
    return parts.join('|');
  });
}

async function startWithThreeTiers(qcc: QccStack, page: Page): Promise<Dashboard> {
  await qcc.start();
  await qcc.addThreeTiers();
  const ui = new Dashboard(page);
  await ui.open(qcc.daemon.dashboardUrl);
  await ui.expectTiers({ PRIMARY: ['production'], SECONDARY: ['backup'], FALLBACK: ['emergency'] });
  await expect(ui.activeConfig).toHaveText('production');
  await expect(ui.overallStatus).toHaveAttribute('data-state', 'ok');
  for (const config of ['production', 'backup', 'emergency']) await ui.expectHealthy(config);
  return ui;
}

test.describe('usage scenarios', () => {
  test('first run: empty state, then set three tiers with the CLI and see them listed', async ({ qcc, page }, testInfo) => {
    await qcc.start();
    const ui = new Dashboard(page);
    await ui.open(qcc.daemon.dashboardUrl);
    await markPage(page);

    await expect(ui.emptyStateHeading).toBeVisible();
    await expect(ui.overallStatus).toHaveAttribute('data-state', 'idle');
    await expect(ui.proxyUrl).toContainText(qcc.daemon.proxyUrl);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByRole('button', { name: 'Copy proxy URL' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(qcc.daemon.proxyUrl);
    await saveScreenshot(page, testInfo, 'first-run-empty');

    // The user sets three tiers from a terminal while the dashboard is open.
    const url = (name: 'prod-a' | 'prod-b' | 'backup' | 'emergency') => qcc.upstreams[name].url;
    await qcc.cliOk('add', 'production', '--base-url', url('prod-a'), '--api-key', upstreamKey('prod-a'));
    await qcc.cliOk('endpoint', 'add', 'production', '--base-url', url('prod-b'), '--api-key', upstreamKey('prod-b'));
    await qcc.cliOk('add', 'backup', '--base-url', url('backup'), '--api-key', upstreamKey('backup'));
    await qcc.cliOk('priority', 'set', 'backup', 'secondary');
    await qcc.cliOk('add', 'emergency', '--base-url', url('emergency'), '--api-key', upstreamKey('emergency'));
    await qcc.cliOk('priority', 'set', 'emergency', 'fallback');

    await expect(ui.emptyStateHeading).toBeHidden();
    await ui.expectTiers({ PRIMARY: ['production'], SECONDARY: ['backup'], FALLBACK: ['emergency'], DISABLED: [] });
    await expect(ui.activeConfig).toHaveText('production');
    await expect(ui.card('production')).toHaveAttribute('data-active', 'true');
    await expect(ui.card('production')).toContainText('Active');
    await expect(ui.card('backup')).not.toHaveAttribute('data-active', 'true');
    await expect(ui.pinned).toHaveCount(0);

    // Each endpoint is listed with a closed breaker; traffic is served by the primary.
    qcc.learnEndpointIds();
    for (const name of ['prod-a', 'prod-b', 'backup', 'emergency'] as const) {
      await expect(ui.endpointRow(qcc.endpointId(name))).toHaveAttribute('data-breaker', 'closed');
    }
    expect(await qcc.send()).toEqual({ status: 200, config: 'production' });
    await expect(ui.overallStatus).toHaveAttribute('data-state', 'ok');
    for (const config of ['production', 'backup', 'emergency']) await expect(ui.healthMeter(config)).toHaveAttribute('aria-valuenow', '100');
    await expectNotReloaded(page);

    // The CLI sees the same order the dashboard shows.
    const list = JSON.parse(await qcc.cliOk('priority', 'list', '--json')) as { active: string; tiers: { tier: string; configs: { name: string }[] }[] };
    expect(list.active).toBe('production');
    expect(list.tiers.map((group) => [group.tier, group.configs.map((config) => config.name)])).toEqual([
      ['primary', ['production']],
      ['secondary', ['backup']],
      ['fallback', ['emergency']],
      ['disabled', []],
    ]);
  });

  test('set three tiers through the Add config dialog and see them listed', async ({ qcc, page }) => {
    await qcc.start();
    const ui = new Dashboard(page);
    await ui.open(qcc.daemon.dashboardUrl);
    await markPage(page);
    await expect(ui.emptyStateHeading).toBeVisible();

    const tiers = [
      { name: 'production', upstream: 'prod-a', tier: 'primary' },
      { name: 'backup', upstream: 'backup', tier: 'secondary' },
      { name: 'emergency', upstream: 'emergency', tier: 'fallback' },
    ] as const;
    for (const { name, upstream, tier } of tiers) {
      await page.getByRole('button', { name: 'Add config', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Add config' });
      await expect(dialog).toBeVisible();
      await dialog.getByLabel('Name', { exact: true }).fill(name);
      await dialog.getByLabel('Base URL').fill(qcc.upstreams[upstream].url);
      await dialog.getByLabel('API key').fill(upstreamKey(upstream));
      await dialog.getByLabel('Auth style').selectOption('x-api-key');
      await dialog.getByLabel('Tier').selectOption(tier);
      await dialog.getByRole('button', { name: 'Save', exact: true }).click();
      await expect(dialog).toBeHidden();
      await expect(ui.card(name)).toBeVisible();
    }

    await ui.expectTiers({ PRIMARY: ['production'], SECONDARY: ['backup'], FALLBACK: ['emergency'], DISABLED: [] });
    await expect(ui.activeConfig).toHaveText('production');
    await expect(ui.card('production')).toHaveAttribute('data-active', 'true');
    // The engine has them too, keys included: traffic flows to the primary.
    expect(await qcc.send()).toEqual({ status: 200, config: 'production' });
    expect(Object.fromEntries(qcc.snapshot().tiers.map((group) => [group.tier, group.configs.map((config) => config.name)]))).toEqual({
      primary: ['production'],
      secondary: ['backup'],
      fallback: ['emergency'],
      disabled: [],
    });
    await expectNotReloaded(page);
  });

  test('break the primary: active config, status colour and history change without reloading; then everything goes down', async ({ qcc, page }, testInfo) => {
    const ui = await startWithThreeTiers(qcc, page);
    await markPage(page);
    await saveScreenshot(page, testInfo, 'three-tiers-healthy');
    const okColours = await colourSignature(ui.overallStatus);
    const entriesBefore = await ui.historyEntries.count();

    // Both primary endpoints fail (one refuses connections, one is overloaded); live traffic finds out.
    await qcc.break('prod-a', { kind: 'refuse' });
    await qcc.break('prod-b', { kind: 'overloaded' });
    const answers = await qcc.sendUntil(() => qcc.engine.activeConfig === 'backup');
    expect(answers.every((answer) => answer.status === 200), 'every request still succeeded').toBe(true);

    await expect(ui.activeConfig).toHaveText('backup');
    await expect(ui.overallStatus).toHaveAttribute('data-state', 'degraded');
    await expect(ui.card('backup')).toHaveAttribute('data-active', 'true');
    await expect(ui.card('production')).not.toHaveAttribute('data-active', 'true');
    await expect(ui.historyEntries).toHaveCount(entriesBefore + 1);
    const failover = ui.historyEntries.first();
    await expect(failover).toHaveAttribute('data-event-type', 'failover');
    await expect(failover).toContainText('production');
    await expect(failover).toContainText('backup');
    const degradedColours = await colourSignature(ui.overallStatus);
    expect(degradedColours, 'the status colour changed from ok to degraded').not.toBe(okColours);
    await expectNotReloaded(page);
    await saveScreenshot(page, testInfo, 'failed-over');

    // Then the secondary and the fallback die too: nothing can serve.
    await qcc.break('backup', { kind: 'refuse' });
    await qcc.break('emergency', { kind: 'status', status: 500 });
    await qcc.sendUntil(() => qcc.snapshot().overall === 'all_down');
    await expect(ui.overallStatus).toHaveAttribute('data-state', 'all_down');
    await expect(ui.history.locator('[data-event-type="all_down"]').first()).toBeVisible();
    const downColours = await colourSignature(ui.overallStatus);
    expect(downColours, 'the status colour changed from degraded to all down').not.toBe(degradedColours);
    expect(downColours).not.toBe(okColours);
    await expectNotReloaded(page);
    await saveScreenshot(page, testInfo, 'all-down');
  });

  test('switch manually with a reason and see it in the history', async ({ qcc, page }) => {
    const ui = await startWithThreeTiers(qcc, page);
    await markPage(page);
    const reason = 'Provider maintenance window 14:00-15:00';

    await ui.cardMenu('emergency').click();
    await page.getByRole('menuitem', { name: 'Switch to', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Switch to emergency' });
    await expect(dialog).toBeVisible();
    await dialog.getByLabel('Reason').fill(reason);
    await dialog.getByRole('button', { name: 'Switch', exact: true }).click();
    await expect(dialog).toBeHidden();

    await expect(ui.activeConfig).toHaveText('emergency');
    await expect(ui.pinned).toBeVisible();
    await expect(ui.card('emergency')).toHaveAttribute('data-active', 'true');
    const entry = ui.historyEntries.first();
    await expect(entry).toHaveAttribute('data-event-type', 'manual');
    await expect(entry).toContainText(reason);
    await expect(entry).toContainText('emergency');
    await expectNotReloaded(page);

    // The engine recorded exactly that (read back through the CLI).
    const history = JSON.parse(await qcc.cliOk('priority', 'history', '--json')) as { event_type: string; to_config: string; reason: string }[];
    expect(history[0]).toMatchObject({ event_type: 'manual', from_config: 'production', to_config: 'emergency', reason });
    expect(qcc.snapshot()).toMatchObject({ active_config: 'emergency', pinned: true });
  });

  test('read the history: newest first, filters, and JSON/CSV export', async ({ qcc, page }) => {
    const ui = await startWithThreeTiers(qcc, page);
    await markPage(page);

    // A failover from traffic, then two manual switches with reasons.
    await qcc.break('prod-a', { kind: 'refuse' });
    await qcc.break('prod-b', { kind: 'refuse' });
    await qcc.sendUntil(() => qcc.engine.activeConfig === 'backup');
    await qcc.engine.invoke('failover:switch', { name: 'emergency', reason: 'first manual reason' });
    await qcc.engine.invoke('failover:switch', { name: 'backup', reason: 'second manual reason' });
    // (The event log is written asynchronously: wait until it holds both switches.)
    await expect
      .poll(async () => (await qcc.engine.invoke('history:query', { limit: 100 })).slice(0, 3).map((event) => event.event_type))
      .toEqual(['manual', 'manual', 'failover']);
    const history = await qcc.engine.invoke('history:query', { limit: 100 });

    // All of it, newest first, exactly as the engine has it.
    await expect(ui.historyEntries).toHaveCount(history.length);
    await expect
      .poll(() => ui.historyEntries.evaluateAll((items) => items.map((item) => item.getAttribute('data-event-type'))))
      .toEqual(history.map((event) => event.event_type));
    await expect(ui.historyEntries.nth(0)).toContainText('second manual reason');
    await expect(ui.historyEntries.nth(1)).toContainText('first manual reason');
    await expect(ui.historyEntries.nth(2)).toContainText('production');

    // Filter by type.
    const typeFilter = ui.history.getByLabel('Event type');
    await typeFilter.selectOption('manual');
    await expect(ui.historyEntries).toHaveCount(history.filter((event) => event.event_type === 'manual').length);
    for (const item of await ui.historyEntries.all()) await expect(item).toHaveAttribute('data-event-type', 'manual');
    await typeFilter.selectOption('failover');
    await expect(ui.historyEntries).toHaveCount(history.filter((event) => event.event_type === 'failover').length);
    await expect(ui.historyEntries.first()).toContainText('production');
    await typeFilter.selectOption({ index: 0 });
    await expect(ui.historyEntries).toHaveCount(history.length);

    // Filter by config: events from or to it.
    const configFilter = ui.history.getByLabel('Config');
    await configFilter.selectOption('emergency');
    const aboutEmergency = history.filter((event) => event.from_config === 'emergency' || event.to_config === 'emergency');
    await expect(ui.historyEntries).toHaveCount(aboutEmergency.length);
    for (const item of await ui.historyEntries.all()) await expect(item).toContainText('emergency');
    await configFilter.selectOption({ index: 0 });
    await expect(ui.historyEntries).toHaveCount(history.length);

    // Export: the seed's field names, the same events.
    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), ui.history.getByRole('button', { name: 'Export JSON' }).click()]);
    expect(jsonDownload.suggestedFilename()).toMatch(/\.json$/);
    const exported = JSON.parse(await streamText(await jsonDownload.createReadStream())) as { event_id: string }[];
    expect(exported.map((event) => event.event_id)).toEqual(history.map((event) => event.event_id));
    expect(Object.keys(exported[0] ?? {}).sort()).toEqual(['event_id', 'event_type', 'from_config', 'reason', 'success', 'timestamp', 'to_config']);

    const [csvDownload] = await Promise.all([page.waitForEvent('download'), ui.history.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(csvDownload.suggestedFilename()).toMatch(/\.csv$/);
    const csv = (await streamText(await csvDownload.createReadStream())).trim().split(/\r?\n/);
    expect(csv[0]).toBe('event_id,event_type,from_config,to_config,reason,timestamp,success');
    expect(csv).toHaveLength(history.length + 1);
    expect(csv[1]).toContain('second manual reason');
    await expectNotReloaded(page);
  });
});

async function streamText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
