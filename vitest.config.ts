import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src-shared/**/*.spec.ts', 'src-main/**/*.spec.ts', 'test-support/**/*.spec.ts'],
    typecheck: { enabled: false },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', './test-support/summary-reporter.ts'],
  },
});
