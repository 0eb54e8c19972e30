import { Dashboard, expect, saveScreenshot, test } from './fixtures/test.js';

// The dashboard says so while the daemon is unreachable, greys out, and
// reconnects by itself (no reload) when a daemon is back on the same port.

test('says Disconnected while the daemon is down and reconnects by itself when it restarts', async ({ qcc, page }, testInfo) => {
  await qcc.start();
  await qcc.addThreeTiers();
  const ui = new Dashboard(page);
  await ui.open(qcc.daemon.dashboardUrl);
  await page.evaluate(() => {
    (window as unknown as { __qccNoReload: boolean }).__qccNoReload = true;
  });
  await expect(ui.overallStatus).toHaveAttribute('data-state', 'ok');
  await expect(ui.disconnectedAlert).toHaveCount(0);

  const adminPort = qcc.adminPort;
  await qcc.stop();
  await expect(ui.disconnectedAlert).toBeVisible();
  await expect(ui.overallStatus).toHaveAttribute('data-state', 'stopped');
  await saveScreenshot(page, testInfo, 'disconnected');

  // Meanwhile the active config changes on disk (another process): the page must show the new state after reconnecting.
  await qcc.cliOk('priority', 'switch', 'backup', '--reason', 'changed while the dashboard was away');

  await qcc.start({ adminPort });
  await expect(ui.disconnectedAlert).toHaveCount(0, { timeout: 15_000 });
  await expect(ui.overallStatus).not.toHaveAttribute('data-state', 'stopped');
  await expect(ui.activeConfig).toHaveText('backup');
  await expect(ui.pinned).toBeVisible();
  await expect(ui.historyEntries.first()).toContainText('changed while the dashboard was away');
  expect(await page.evaluate(() => (window as unknown as { __qccNoReload?: boolean }).__qccNoReload === true), 'page was not reloaded').toBe(true);

  // And live updates flow again over the new connection.
  await qcc.engine.invoke('failover:switch', { name: 'emergency', reason: 'after reconnect' });
  await expect(ui.activeConfig).toHaveText('emergency');
  await expect(ui.historyEntries.first()).toContainText('after reconnect');
});
