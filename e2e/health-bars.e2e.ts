import { Dashboard, expect, test } from './fixtures/test.js';

// Health bars follow an endpoint going down and coming back, live: its
// breaker opens when its upstream refuses and traffic hits it, and closes
// again after it heals (the health monitor probes it when its short ejection
// expires).

test('health bars reflect an endpoint going down and up', async ({ qcc, page }) => {
  await qcc.start();
  await qcc.addThreeTiers();
  const ui = new Dashboard(page);
  await ui.open(qcc.daemon.dashboardUrl);

  // A short policy, set in the Failover policy editor: eject on the first failure, for 1 s (then 2 s at most).
  const policy = page.getByRole('region', { name: 'Failover policy' });
  await policy.getByLabel('Failure threshold', { exact: true }).fill('1');
  await policy.getByLabel('Ejection base time', { exact: true }).fill('1');
  await policy.getByLabel('Ejection max time', { exact: true }).fill('2');
  await policy.getByRole('button', { name: 'Save policy' }).click();
  await expect.poll(() => qcc.engine.policy).toMatchObject({ failure_threshold: 1, ejection_base_time: 1, ejection_max_time: 2 });
  await expect(policy.getByLabel('Failure threshold', { exact: true })).toHaveValue('1');

  const prodA = ui.endpointRow(qcc.endpointId('prod-a'));
  const prodB = ui.endpointRow(qcc.endpointId('prod-b'));
  const meter = ui.healthMeter('production');
  await expect(prodA).toHaveAttribute('data-breaker', 'closed');
  await expect(prodB).toHaveAttribute('data-breaker', 'closed');
  await expect(meter).toHaveAttribute('aria-valuenow', '100');

  // prod-a goes down; the next request tries it first, fails over to prod-b within the same request.
  await qcc.break('prod-a', { kind: 'refuse' });
  const answer = await qcc.send();
  expect(answer).toEqual({ status: 200, config: 'production' });

  await expect(prodA).toHaveAttribute('data-breaker', 'open');
  await expect(prodB).toHaveAttribute('data-breaker', 'closed');
  await expect(meter).toHaveAttribute('aria-valuenow', '50');
  await expect(ui.activeConfig).toHaveText('production');

  // While it stays down, each expiry's probe fails and ejects it again: never closed.
  await expect.poll(() => qcc.snapshot().tiers[0]?.configs[0]?.endpoints[0]?.health.ejection_count ?? 0, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
  await expect(prodA).not.toHaveAttribute('data-breaker', 'closed');

  // prod-a comes back: the probe at its next expiry succeeds and it closes, with no traffic needed.
  await qcc.heal('prod-a');
  await expect(prodA).toHaveAttribute('data-breaker', 'closed', { timeout: 15_000 });
  await expect(meter).toHaveAttribute('aria-valuenow', '100');

  // And traffic through it works again.
  expect(await qcc.send()).toEqual({ status: 200, config: 'production' });
  await expect(prodA).toHaveAttribute('data-breaker', 'closed');
});

test('a new config\'s health turns from "not checked yet" to healthy live, after its first probe and traffic', async ({ qcc, page }) => {
  await qcc.start();
  const ui = new Dashboard(page);
  await ui.open(qcc.daemon.dashboardUrl);
  // Added while the page is open; the health monitor probes new endpoints at once.
  await qcc.addThreeTiers({ probe: false });
  await expect(ui.card('production')).toBeVisible();
  await expect
    .poll(() => qcc.snapshot().tiers.flatMap((group) => group.configs.map((config) => config.health.status)), { message: 'the engine probed the new configs' })
    .toEqual(['healthy', 'healthy', 'healthy']);
  // Traffic succeeds through prod-a as well.
  expect(await qcc.send()).toEqual({ status: 200, config: 'production' });

  // The page shows what the engine knows, without a reload.
  for (const config of ['production', 'backup', 'emergency']) await ui.expectHealthy(config);
});
