import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, saveScreenshot, test } from './fixtures/test.js';

// A settings file broken by hand (an editor, a bad merge) is moved aside at
// start; the dashboard says so, with where the file went, not just the log.

test('shows a corrupt settings file that was moved aside', async ({ qcc, page }, testInfo) => {
  await writeFile(join(qcc.dataDir, 'settings.json'), '{ "schema_version": 2, "configs": [ ', { mode: 0o600 });
  await qcc.start();
  await page.goto(qcc.daemon.dashboardUrl);
  const problems = page.getByRole('region', { name: 'Problems' });
  await expect(problems).toBeVisible();
  await expect(problems.getByRole('listitem')).toHaveCount(1);
  await expect(problems.getByRole('listitem').first()).toContainText('settings.json');
  await expect(problems.getByRole('listitem').first()).toContainText('corrupt');
  await saveScreenshot(page, testInfo, 'problem-corrupt-settings');
});
