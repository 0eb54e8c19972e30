import { Dashboard, expect, test } from './fixtures/test.js';

// The rest of the contract's controls, briefly: the card menu's Edit (the
// config editor's per-endpoint Test) and Delete, a policy field error, and the
// failover drill — each checked against the real engine.

test('card menu: Edit → Test an endpoint (up, then down), Delete a config', async ({ qcc, page }) => {
  await qcc.start();
  await qcc.addThreeTiers();
  const ui = new Dashboard(page);
  await ui.open(qcc.daemon.dashboardUrl);

  await ui.cardMenu('production').click();
  for (const item of ['Switch to', 'Edit', 'Delete']) await expect(page.getByRole('menuitem', { name: item, exact: true })).toBeVisible();
  await page.getByRole('menuitem', { name: 'Edit', exact: true }).click();
  const editor = page.getByRole('dialog', { name: 'Edit production' });
  await expect(editor).toBeVisible();

  const prodA = qcc.endpointId('prod-a');
  const prodB = qcc.endpointId('prod-b');
  await editor.getByRole('button', { name: `Test ${prodA}`, exact: true }).click();
  await expect(page.getByTestId(`test-result-${prodA}`)).toContainText('reachable');

  await qcc.break('prod-b', { kind: 'refuse' });
  await editor.getByRole('button', { name: `Test ${prodB}`, exact: true }).click();
  await expect(page.getByTestId(`test-result-${prodB}`)).toContainText(/refused|ECONNREFUSED/i);
  await page.keyboard.press('Escape');
  await expect(editor).toBeHidden();

  await ui.cardMenu('emergency').click();
  await page.getByRole('menuitem', { name: 'Delete', exact: true }).click();
  const confirm = page.getByRole('alertdialog', { name: /Delete emergency/ });
  await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(ui.card('emergency')).toHaveCount(0);
  await ui.expectTiers({ PRIMARY: ['production'], SECONDARY: ['backup'], FALLBACK: [] });
  await expect.poll(() => qcc.snapshot().tiers.flatMap((group) => group.configs.map((config) => config.name))).toEqual(['production', 'backup']);
});

test('policy editor: an invalid value shows a field error and is not saved; a valid one is', async ({ qcc, page }) => {
  await qcc.start();
  await qcc.addThreeTiers();
  const ui = new Dashboard(page);
  await ui.open(qcc.daemon.dashboardUrl);
  const policy = page.getByRole('region', { name: 'Failover policy' });

  const threshold = policy.getByLabel('Failure threshold', { exact: true });
  await threshold.fill('0');
  await policy.getByRole('button', { name: 'Save policy' }).click();
  await expect(policy.getByRole('alert').first()).toBeVisible();
  expect(qcc.engine.policy.failure_threshold).toBe(3);

  await threshold.fill('5');
  await policy.getByRole('button', { name: 'Save policy' }).click();
  await expect.poll(() => qcc.engine.policy.failure_threshold).toBe(5);
  await expect(policy.getByRole('alert')).toHaveCount(0);
});

test('failover drill: traffic moves to the next config and the history shows it', async ({ qcc, page }) => {
  await qcc.start();
  await qcc.addThreeTiers();
  const ui = new Dashboard(page);
  await ui.open(qcc.daemon.dashboardUrl);

  await page.getByRole('button', { name: 'Run failover drill' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Start drill' }).click();
  await expect(ui.activeConfig).toHaveText('backup');
  await expect(ui.history.locator('[data-event-type="drill_started"]').first()).toBeVisible();
  expect(await qcc.send()).toMatchObject({ status: 200, config: 'backup' });
});
