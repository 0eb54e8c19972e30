/**
 * The last few full runs' throughput ratios, kept next to latest.json, so the
 * README can say whether a goal holds run after run or only in some runs (on
 * a 2-core machine one run's ratio moves by a few hundredths).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { throughputRatio, type BenchReport, type TargetName } from './report.js';

/** One full run, reduced to what says whether the throughput goal holds. */
export interface HistoryEntry {
  date: string;
  /** Median of per-round ratios to nginx (null when nginx was not run). */
  qccVsNginx: number | null;
  naiveVsNginx: number | null;
  qccCpuUs: number | null;
  naiveCpuUs: number | null;
  /** Other processes' CPU while measuring, % of one core. */
  foreignCpuPercent: number;
}

/** Runs kept. */
export const HISTORY_LENGTH = 10;

/** The entry for one finished run. */
export function historyEntry(report: BenchReport): HistoryEntry {
  const target = (name: TargetName) => report.targets.find((t) => t.name === name);
  const nginx = target('nginx');
  const vsNginx = (name: TargetName) => {
    const t = target(name);
    return t && nginx ? round2(throughputRatio(t, nginx)) : null;
  };
  const cpu = (name: TargetName) => {
    const value = target(name)?.throughput.cpuUsPerRequest;
    return value === null || value === undefined ? null : Math.round(value * 10) / 10;
  };
  return { date: report.date, qccVsNginx: vsNginx('qcc'), naiveVsNginx: vsNginx('node-naive'), qccCpuUs: cpu('qcc'), naiveCpuUs: cpu('node-naive'), foreignCpuPercent: Math.round(report.foreignCpuPercent) };
}

/** Reads the history file (missing or unreadable: empty). */
export function readHistory(file: string): HistoryEntry[] {
  if (!existsSync(file)) return [];
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return Array.isArray(parsed) ? (parsed as HistoryEntry[]) : [];
  } catch {
    return [];
  }
}

/** Appends `entry`, keeps the last HISTORY_LENGTH runs, writes the file, returns them oldest first. */
export function appendHistory(file: string, entry: HistoryEntry): HistoryEntry[] {
  const runs = [...readHistory(file), entry].slice(-HISTORY_LENGTH);
  writeFileSync(file, `${JSON.stringify(runs, null, 2)}\n`);
  return runs;
}

/** A run during which other processes used more than this (% of one core) is listed but not counted. */
export const NOISY_RUN_PERCENT = 25;

/** A Markdown table of the runs, newest first, and how many of the quiet ones met the 0.7× goal. */
export function renderHistory(runs: readonly HistoryEntry[]): string {
  if (runs.length === 0) return '';
  const ratio = (value: number | null) => (value === null ? '—' : `${value.toFixed(2)}×`);
  const cpu = (value: number | null) => (value === null ? '—' : value.toFixed(0));
  const judged = runs.filter((run) => run.qccVsNginx !== null && run.foreignCpuPercent <= NOISY_RUN_PERCENT);
  const met = judged.filter((run) => (run.qccVsNginx as number) >= 0.7).length;
  const noisy = runs.length - judged.length;
  const rows = [...runs]
    .reverse()
    .map((run) => `| ${run.date.slice(0, 16).replace('T', ' ')} | ${ratio(run.qccVsNginx)} | ${ratio(run.naiveVsNginx)} | ${cpu(run.qccCpuUs)} | ${cpu(run.naiveCpuUs)} | ${run.foreignCpuPercent}% |`);
  return `### Recent runs

QCC met the throughput goal (≥ 0.70× nginx) in **${met} of the last ${judged.length}** quiet full runs (\`results/history.json\`)${noisy > 0 ? `; ${noisy} run${noisy === 1 ? '' : 's'} during which other processes used more than ${NOISY_RUN_PERCENT}% of a core ${noisy === 1 ? 'is' : 'are'} listed but not counted` : ''}.

| run (UTC) | qcc vs nginx | node-naive vs nginx | qcc CPU µs/req | node-naive CPU µs/req | other processes |
| --- | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}
`;
}

function round2(value: number): number | null {
  return Number.isFinite(value) ? Math.round(value * 100) / 100 : null;
}
