import { describe, expect, it } from 'vitest';
import { excludedBecause, renderHistory, type HistoryEntry } from './history.js';

function run(overrides: Partial<HistoryEntry>): HistoryEntry {
  return { date: '2026-11-27T07:00:00.000Z', commit: 'abc1234', qccVsNginx: 0.72, naiveVsNginx: 0.7, qccCpuUs: 34, naiveCpuUs: 37, nginxCpuUs: 15, foreignCpuPercent: 0, ...overrides };
}

describe('bench history', () => {
  it('does not count runs on a slowed machine (nginx needing over 1.2× its lowest CPU per request), nor busy ones', () => {
    const runs = [run({ nginxCpuUs: 14 }), run({ nginxCpuUs: 16.8 }), run({ nginxCpuUs: 16.9, qccVsNginx: 0.65 }), run({ foreignCpuPercent: 40, qccVsNginx: 0.6 })];
    expect(runs.map((r) => excludedBecause(r, runs))).toEqual([null, null, 'slow machine', 'other processes']);
  });

  it('counts older runs that did not record nginx CPU, and runs without nginx never', () => {
    const runs = [run({ nginxCpuUs: undefined }), run({ nginxCpuUs: null, qccVsNginx: null })];
    expect(runs.map((r) => excludedBecause(r, runs))).toEqual([null, 'no nginx']);
  });

  it('says how many counted runs met the goal and why the others were left out, newest first', () => {
    const runs = [
      run({ date: '2026-11-27T07:00:00.000Z', qccVsNginx: 0.71, nginxCpuUs: 15 }),
      run({ date: '2026-11-27T07:10:00.000Z', qccVsNginx: 0.69, nginxCpuUs: 15 }),
      run({ date: '2026-11-27T07:20:00.000Z', qccVsNginx: 0.6, nginxCpuUs: 22 }),
    ];
    const text = renderHistory(runs);
    expect(text).toContain('in **1 of the last 2** counted full runs');
    expect(text).toContain('listed but not counted: 1 on a slowed machine');
    const rows = text.split('\n').filter((line) => line.startsWith('| 2026'));
    expect(rows.map((row) => row.split(' | ').at(-1))).toEqual(['no: slow machine |', 'yes |', 'yes |']);
  });
});
