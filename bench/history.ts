/**
 * The last few full runs' throughput ratios, kept next to latest.json, so the
 * README can say whether a goal holds run after run or only in some runs (on
 * a 2-core machine one run's ratio moves by a few hundredths).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { throughputRatio, type BenchReport, type TargetName } from './report.js';

/** One full run, reduced to what says whether the throughput goal holds. */
export interface HistoryEntry {
  date: string;
  /** The code measured: short commit, `+` when files other than the bench's results differed from it. Missing in older entries. */
  commit?: string | null;
  /** Median of per-round ratios to nginx (null when nginx was not run). */
  qccVsNginx: number | null;
  naiveVsNginx: number | null;
  qccCpuUs: number | null;
  naiveCpuUs: number | null;
  /**
   * nginx's CPU per request: the same work every run, so it shows how fast the
   * machine itself was (a VM slowed by its host shows no steal time here, only
   * every process needing more CPU per request). Missing in older entries.
   */
  nginxCpuUs?: number | null;
  /** Other processes' CPU while measuring, % of one core. */
  foreignCpuPercent: number;
}

/** Runs kept. */
export const HISTORY_LENGTH = 10;

/** The entry for one finished run. */
export function historyEntry(report: BenchReport, commit: string | null): HistoryEntry {
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
  return {
    date: report.date,
    commit,
    qccVsNginx: vsNginx('qcc'),
    naiveVsNginx: vsNginx('node-naive'),
    qccCpuUs: cpu('qcc'),
    naiveCpuUs: cpu('node-naive'),
    nginxCpuUs: cpu('nginx'),
    foreignCpuPercent: Math.round(report.foreignCpuPercent),
  };
}

/** The checked-out commit, with `+` if the code differs from it (the bench's own results aside); null outside a git work tree. */
export function measuredCommit(repoRoot: string): string | null {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    const changed = git('status', '--porcelain', '--untracked-files=no', '--', '.', ':!bench/results', ':!bench/README.md');
    return changed === '' ? commit : `${commit}+`;
  } catch {
    return null;
  }
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

/** A run whose nginx needed this much more CPU per request than in the fastest listed run ran on a slowed machine: listed, not counted. */
export const SLOW_MACHINE_FACTOR = 1.2;

/** Why a run does not count towards the goal, or null when it does. */
export function excludedBecause(run: HistoryEntry, runs: readonly HistoryEntry[]): 'no nginx' | 'other processes' | 'slow machine' | null {
  if (run.qccVsNginx === null) return 'no nginx';
  if (run.foreignCpuPercent > NOISY_RUN_PERCENT) return 'other processes';
  const fastest = Math.min(...runs.map((r) => r.nginxCpuUs ?? Infinity));
  if (run.nginxCpuUs !== undefined && run.nginxCpuUs !== null && run.nginxCpuUs > fastest * SLOW_MACHINE_FACTOR) return 'slow machine';
  return null;
}

/** A Markdown table of the runs, newest first, and how many of the counted ones met the 0.7× goal. */
export function renderHistory(runs: readonly HistoryEntry[]): string {
  if (runs.length === 0) return '';
  const ratio = (value: number | null) => (value === null ? '—' : `${value.toFixed(2)}×`);
  const cpu = (value: number | null | undefined) => (value === null || value === undefined ? '—' : value.toFixed(0));
  const verdicts = runs.map((run) => excludedBecause(run, runs));
  const judged = runs.filter((_, i) => verdicts[i] === null);
  const met = judged.filter((run) => (run.qccVsNginx as number) >= 0.7).length;
  const count = (reason: string) => verdicts.filter((v) => v === reason).length;
  const left: string[] = [];
  if (count('other processes') > 0) left.push(`${count('other processes')} during which other processes used more than ${NOISY_RUN_PERCENT}% of a core`);
  if (count('slow machine') > 0) left.push(`${count('slow machine')} on a slowed machine (nginx needed over ${SLOW_MACHINE_FACTOR}× its lowest CPU per request)`);
  const rows = runs
    .map((run, i) => `| ${run.date.slice(0, 16).replace('T', ' ')} | ${run.commit ?? '—'} | ${ratio(run.qccVsNginx)} | ${ratio(run.naiveVsNginx)} | ${cpu(run.qccCpuUs)} | ${cpu(run.naiveCpuUs)} | ${cpu(run.nginxCpuUs)} | ${run.foreignCpuPercent}% | ${verdicts[i] === null ? 'yes' : `no: ${verdicts[i]}`} |`)
    .reverse();
  return `### Recent runs

QCC met the throughput goal (≥ 0.70× nginx) in **${met} of the last ${judged.length}** counted full runs (\`results/history.json\`)${left.length > 0 ? `; listed but not counted: ${left.join(', ')}` : ''}.

| run (UTC) | code | qcc vs nginx | node-naive vs nginx | qcc CPU µs/req | node-naive CPU µs/req | nginx CPU µs/req | other processes | counted |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |
${rows.join('\n')}
`;
}

function round2(value: number): number | null {
  return Number.isFinite(value) ? Math.round(value * 100) / 100 : null;
}
