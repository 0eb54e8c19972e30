import { defineConfig } from '@playwright/test';

// End-to-end tests of the dashboard: real Chromium (Debian's, since Playwright's
// own browser download cannot work here) against the real daemon and fake
// upstreams on loopback. The dashboard must be built first (`npm run build:renderer`);
// `npm run test:e2e` does both.
export default defineConfig({
  testDir: 'e2e',
  // Specs are *.e2e.ts so Vitest and the Node test tsconfig (which take **/*.spec.ts) never pick them up.
  testMatch: '**/*.e2e.ts',
  outputDir: 'test-results',
  // One worker: each test runs a daemon, four fake upstreams and a browser on a 2-core machine.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    colorScheme: 'light',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
    launchOptions: {
      executablePath: process.env.QCC_E2E_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
});
