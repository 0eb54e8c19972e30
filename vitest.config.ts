import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', './test-support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'node',
          include: ['src-shared/**/*.spec.ts', 'src-main/**/*.spec.ts', 'test-support/**/*.spec.ts', 'bench/**/*.spec.ts', 'scripts/**/*.spec.ts'],
          // electron-store is ESM that imports `electron`; inlined, it sees the tests' vi.mock('electron').
          server: { deps: { inline: ['electron-store'] } },
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        plugins: [react()],
        test: {
          name: 'dashboard',
          environment: 'happy-dom',
          include: ['src-renderer/**/*.spec.ts', 'src-renderer/**/*.spec.tsx'],
          testTimeout: 30_000,
        },
      },
    ],
  },
});
