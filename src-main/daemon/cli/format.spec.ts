import { describe, expect, it } from 'vitest';
import { EngineHarness } from '../../engine/core/testing/engine-harness.js';
import { formatPriorityList } from './format.js';

describe('formatPriorityList', () => {
  it("renders the seed's priority list with the active marker", async () => {
    const h = await EngineHarness.create({}, [
      { name: 'production', tier: 'primary', endpoints: 2 },
      { name: 'backup', tier: 'secondary', endpoints: 1 },
    ]);
    h.kill('production');
    const text = formatPriorityList(h.engine.snapshot());
    expect(text).toBe(
      [
        '⭐ PRIMARY [✓]',
        '  • production — 0/2 endpoints, unhealthy',
        '',
        '🔵 SECONDARY [✓]',
        '  • backup (active) — 1/1 endpoints, unknown',
        '',
        '🟡 FALLBACK [✓]',
        '  (no configs)',
        '',
        'Active config: backup',
      ].join('\n'),
    );
  });
});
