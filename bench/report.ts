/**
 * Turns one run's raw numbers into the comparisons the issue asks for: every
 * target side by side, differences and ratios against the baselines measured
 * in the same run, and PASS/MISS per goal. Renders a text table for stdout
 * and the whole of bench/README.md.
 */

import { renderHistory, type HistoryEntry } from './history.js';
import { median } from './stats.js';

export type TargetName = 'direct' | 'node-naive' | 'qcc-static-plan' | 'qcc' | 'nginx';

export const TARGET_DESCRIPTIONS: Record<TargetName, string> = {
  direct: 'the load generator talks to the fake upstream itself (the baseline for every "added" number)',
  'node-naive': 'reference: node:http + undici keep-alive pass-through, no auth, no planning, no failover (bench/child-naive-proxy.ts)',
  'qcc-static-plan':
    'diagnostic: the same QCC process and ProxyServer, but every request gets the plan the engine made once and reports go nowhere — QCC minus this is the engine\'s per-request cost (bench/child-qcc.ts --static-plan)',
  qcc: 'QCC ProxyServer with a real Engine (in-memory ports, one primary config) — the thing under test',
  nginx: 'nginx, one worker, proxy_buffering off, HTTP/1.1 keep-alive (64) to the upstream',
};

export interface TargetResult {
  name: TargetName;
  latency: { p50: number; p99: number; samples: number; errors: number };
  throughput: {
    /** Median over rounds of requests completed / time taken. */
    rps: number;
    /** One value per round the medians use; aligned across targets (round r ran every target once, back to back). */
    perRound: number[];
    /** Every round run, quiet or not, aligned with the throughput entry of `rounds`. */
    allRounds: number[];
    errors: number;
    /** The proxy process's user+system CPU per request during the measured rounds; null for direct. */
    cpuUsPerRequest: number | null;
    /** The load generator's and the fake upstream's CPU per request while this target was measured (absent in older results). */
    loadCpuUsPerRequest?: number;
    upstreamCpuUsPerRequest?: number;
  };
  streams: { ttfbP50: number; ttfbP99: number; gapP50: number; gapP99: number; streams: number; gaps: number; errors: number };
  /** The proxy process's memory; null for direct. */
  memory: {
    /** VmRSS right after start. */
    idleMiB: number;
    /** VmRSS just before the held-streams phase (after every other phase). */
    beforeMiB: number;
    /** Peak during the c=64 throughput rounds: VmHWM reset before each round, read after it; highest round. */
    throughputPeakMiB: number;
    /** Peak while the streams were held: VmHWM reset at the phase's start, read at its end. */
    peakMiB: number;
    /** The same streams held by a fresh process of the same kind (after one warm-up round of streams). */
    freshPeakMiB: number;
    /** Highest VmRSS seen by 20 ms sampling during the phase. */
    sampledPeakMiB: number;
    streamsCompleted: number;
    errors: number;
  } | null;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  nginx: string | null;
}

export interface Settings {
  /** How the Node children were run. */
  childRuntime: string;
  rounds: number;
  latencyRequestsPerRound: number;
  throughputConcurrency: number;
  throughputSecondsPerRound: number;
  streamsPerRound: number;
  streamConcurrency: number;
  streamDeltas: number;
  chunkDelayMs: number;
  heldStreams: number;
  heldSeconds: number;
}

export interface PhaseRounds {
  phase: string;
  /** CPU other processes used during each round, % of one core. */
  foreignCpuPercent: number[];
  used: boolean[];
}

export type Verdict = 'PASS' | 'MISS' | 'n/a';

export interface Check {
  goal: string;
  target: string;
  measured: string;
  verdict: Verdict;
}

export interface BenchReport {
  date: string;
  durationSeconds: number;
  machine: Machine;
  settings: Settings;
  targets: TargetResult[];
  /** CPU used by processes other than the benchmark's while it measured, % of one core. */
  foreignCpuPercent: number;
  /** Every round of every phase: how busy the rest of the machine was, and whether the round was used. */
  rounds: PhaseRounds[];
  checks: Check[];
  notes: string[];
}

const RSS_LIMIT_MIB = 120;

/**
 * Throughput of `a` relative to `b`: the median of per-round ratios. Each
 * round ran both targets within seconds of each other, so pairing them by
 * round cancels slow drift in what else the machine is doing.
 */
export function throughputRatio(a: TargetResult, b: TargetResult): number {
  const ratios = a.throughput.perRound.map((value, r) => value / (b.throughput.perRound[r] ?? NaN)).filter(Number.isFinite);
  return median(ratios);
}

function find(targets: TargetResult[], name: TargetName): TargetResult | undefined {
  return targets.find((target) => target.name === name);
}

const ms = (value: number, digits = 3) => (Number.isFinite(value) ? value.toFixed(digits) : '—');
const signed = (value: number, digits = 3) => (Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${value.toFixed(digits)}` : '—');
const ratio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '—');
const int = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—');

/** The issue's four goals, judged on QCC's numbers against the baselines from the same run. */
export function evaluate(targets: TargetResult[]): Check[] {
  const direct = find(targets, 'direct');
  const qcc = find(targets, 'qcc');
  const nginx = find(targets, 'nginx');
  if (!direct || !qcc) throw new Error('evaluate needs the direct and qcc results');
  const checks: Check[] = [];

  const addedP50 = qcc.latency.p50 - direct.latency.p50;
  checks.push({ goal: 'added p50 latency, c=1', target: '≤ 0.5 ms', measured: `${signed(addedP50)} ms`, verdict: addedP50 <= 0.5 ? 'PASS' : 'MISS' });

  if (nginx) {
    const vsNginx = throughputRatio(qcc, nginx);
    checks.push({ goal: 'throughput vs nginx (1 worker), c=64', target: '≥ 0.70×', measured: ratio(vsNginx), verdict: vsNginx >= 0.7 ? 'PASS' : 'MISS' });
  } else {
    checks.push({
      goal: 'throughput vs nginx (1 worker), c=64',
      target: '≥ 0.70×',
      measured: `nginx not installed; ${ratio(throughputRatio(qcc, direct))} of direct`,
      verdict: 'n/a',
    });
  }

  const addedGap = qcc.streams.gapP99 - direct.streams.gapP99;
  checks.push({ goal: 'added inter-chunk delay, p99', target: '≤ 1 ms', measured: `${signed(addedGap)} ms`, verdict: addedGap <= 1 ? 'PASS' : 'MISS' });

  // Judged on the higher of the two: the process that served the whole run, and a fresh one.
  const served = qcc.memory?.peakMiB ?? NaN;
  const fresh = qcc.memory?.freshPeakMiB ?? NaN;
  const peak = Number.isFinite(fresh) ? Math.max(served, fresh) : served;
  checks.push({
    goal: 'QCC peak RSS, 64 concurrent streams',
    target: `≤ ${RSS_LIMIT_MIB} MiB`,
    measured: `${ms(peak, 1)} MiB (after the run ${ms(served, 1)}, fresh ${ms(fresh, 1)})`,
    verdict: Number.isFinite(peak) ? (peak <= RSS_LIMIT_MIB ? 'PASS' : 'MISS') : 'n/a',
  });
  return checks;
}

/** Rows of the side-by-side table: a label, then one cell per target. */
function resultRows(report: BenchReport): string[][] {
  const { targets } = report;
  const direct = find(targets, 'direct');
  const nginx = find(targets, 'nginx');
  const rel = (pick: (t: TargetResult) => number, format: (v: number) => string) => (t: TargetResult) =>
    t.name === 'direct' || !direct ? '—' : format(pick(t) - pick(direct));
  const rows: [string, (t: TargetResult) => string][] = [
    ['latency p50, c=1 (ms)', (t) => ms(t.latency.p50)],
    ['latency p99, c=1 (ms)', (t) => ms(t.latency.p99)],
    ['added latency p50 (ms)', rel((t) => t.latency.p50, signed)],
    ['added latency p99 (ms)', rel((t) => t.latency.p99, signed)],
    ['throughput, c=64 (req/s, median of rounds)', (t) => int(t.throughput.rps)],
    ['  slowest – fastest round (req/s)', (t) => `${int(Math.min(...t.throughput.perRound))} – ${int(Math.max(...t.throughput.perRound))}`],
    ['throughput vs direct (median of rounds)', (t) => (direct ? ratio(throughputRatio(t, direct)) : '—')],
    ['throughput vs nginx (median of rounds)', (t) => (nginx ? ratio(throughputRatio(t, nginx)) : '—')],
    ['proxy CPU per request (µs)', (t) => (t.throughput.cpuUsPerRequest === null ? '—' : int(t.throughput.cpuUsPerRequest))],
    ['  load generator + upstream CPU per request (µs)', (t) => (t.throughput.loadCpuUsPerRequest === undefined || t.throughput.upstreamCpuUsPerRequest === undefined ? '—' : `${int(t.throughput.loadCpuUsPerRequest)} + ${int(t.throughput.upstreamCpuUsPerRequest)}`)],
    ['stream TTFB p50 (ms)', (t) => ms(t.streams.ttfbP50)],
    ['stream TTFB p99 (ms)', (t) => ms(t.streams.ttfbP99)],
    ['added TTFB p50 (ms)', rel((t) => t.streams.ttfbP50, signed)],
    ['added TTFB p99 (ms)', rel((t) => t.streams.ttfbP99, signed)],
    [`inter-chunk gap p50 (ms, nominal ${report.settings.chunkDelayMs})`, (t) => ms(t.streams.gapP50)],
    [`inter-chunk gap p99 (ms, nominal ${report.settings.chunkDelayMs})`, (t) => ms(t.streams.gapP99)],
    ['added gap p50 (ms)', rel((t) => t.streams.gapP50, signed)],
    ['added gap p99 (ms)', rel((t) => t.streams.gapP99, signed)],
    ['proxy RSS idle, after start (MiB)', (t) => (t.memory ? ms(t.memory.idleMiB, 1) : '—')],
    ['proxy peak RSS, c=64 non-streaming (MiB)', (t) => (t.memory ? ms(t.memory.throughputPeakMiB, 1) : '—')],
    [`proxy peak RSS, ${report.settings.heldStreams} concurrent streams (MiB)`, (t) => (t.memory ? ms(t.memory.peakMiB, 1) : '—')],
    [`  same, fresh process (MiB)`, (t) => (t.memory ? ms(t.memory.freshPeakMiB, 1) : '—')],
    ['errors (latency/throughput/streams/held)', (t) => [t.latency.errors, t.throughput.errors, t.streams.errors, t.memory?.errors ?? 0].join('/')],
  ];
  return [['', ...targets.map((t) => t.name)], ...rows.map(([label, cell]) => [label, ...targets.map(cell)])];
}

function checkRows(checks: Check[]): string[][] {
  return [['goal', 'target', 'QCC measured', 'result'], ...checks.map((c) => [c.goal, c.target, c.measured, c.verdict])];
}

function textTable(rows: string[][]): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length))) ?? [];
  const line = (row: string[]) => row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0))).join('  ');
  const [head, ...body] = rows;
  return [line(head ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function markdownTable(rows: string[][], alignRight = true): string {
  const [head, ...body] = rows;
  const cells = (row: string[]) => `| ${row.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
  const rule = `|${(head ?? []).map((_, col) => (col === 0 || !alignRight ? ' --- ' : ' ---: ')).join('|')}|`;
  return [cells(head ?? []), rule, ...body.map(cells)].join('\n');
}

function machineLine(machine: Machine): string {
  return `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB RAM, ${machine.os}, Node ${machine.node}, ${machine.nginx ?? 'nginx not installed'}`;
}

/** What goes to stdout. */
export function renderText(report: BenchReport): string {
  return [
    `QCC proxy benchmark — ${report.date} (${report.durationSeconds.toFixed(0)} s)`,
    `machine: ${machineLine(report.machine)}`,
    '',
    textTable(resultRows(report)),
    '',
    textTable(checkRows(report.checks)),
    ...(report.notes.length > 0 ? ['', ...report.notes.map((note) => `note: ${note}`)] : []),
  ].join('\n');
}

/** The whole of bench/README.md: how to run, what the numbers mean, and the latest run. */
export function renderReadme(report: BenchReport, history: readonly HistoryEntry[] = []): string {
  const s = report.settings;
  return `# bench — proxy benchmark

\`npm run bench\` measures QCC's proxy side by side with a direct connection,
a naive Node pass-through, nginx and a diagnostic QCC variant without the
engine on the request path, **in one run, against the same fake upstream on
loopback**, and reports differences and ratios against those
baselines — never timed assertions (see \`/work/shared/design/style.md\`:
speed is measured by benchmarks, not by tests). It is not part of \`npm test\`
and CI does not run it.

## Running it

\`\`\`sh
apt-get install -y nginx   # optional: without it the nginx column and goal are skipped
npm run bench              # 2–3 minutes; rewrites this file and bench/results/latest.json, appends to results/history.json
npm run bench -- --quick   # one short round per phase, for trying changes; writes nothing
npm run bench -- --profile # QCC and the naive proxy under --cpu-prof; writes bench/results/qcc-profile.md
npm run bench -- --tsx     # children under --import tsx instead of transpiled JS; writes nothing
\`\`\`

Run it on an otherwise idle machine: every number here is CPU-bound, and the
benchmark measures (and reports) how much CPU other processes took meanwhile.

## How it measures

Every role runs in its **own process**, so a proxy's CPU and memory are its
own:

| process | file |
| --- | --- |
| fake Anthropic upstream (\`FakeAnthropic\`, \`record: false\`, ${s.streamDeltas} text deltas, SSE events ${s.chunkDelayMs} ms apart) | \`bench/child-upstream.ts\` |
| QCC: \`Engine\` with in-memory ports + \`ProxyServer\`, one primary config → the fake | \`bench/child-qcc.ts\` |
| QCC with a static plan (diagnostic) | \`bench/child-qcc.ts --static-plan\` |
| naive Node pass-through (reference) | \`bench/child-naive-proxy.ts\` |
| nginx, \`worker_processes 1\`, \`proxy_buffering off\`, \`keepalive 64\` upstream | \`bench/nginx.ts\` (temp config) |
| load generator: undici pools, HTTP/1.1 keep-alive | \`bench/child-load-generator.ts\` |
| orchestrator: rounds, /proc sampling, report | \`bench/proxy-bench.ts\` |

Targets (the columns of the table):

${(Object.keys(TARGET_DESCRIPTIONS) as TargetName[]).map((name) => `- **${name}** — ${TARGET_DESCRIPTIONS[name]}`).join('\n')}

Each target is warmed up first (requests at c=1, c=64 and streams, so the JIT
and every keep-alive connection are warm). Then each measurement runs in
${s.rounds} rounds, the target order rotating every round so drift on the
machine spreads over all targets; latency and stream samples from the rounds
used are pooled. A round during which other processes used more than 25% of
a core is run again (up to ${Math.ceil(s.rounds / 2)} extra rounds per phase)
and left out; if fewer than 3 rounds were quiet, every round counts and the
notes under the results say so.

The Node children run as JavaScript that \`bench/compile.ts\` transpiles from
the TypeScript sources at start-up, on bare \`node\` (this run: ${s.childRuntime}).
Under \`--import tsx\` every process would also carry tsx's module-loader
thread, ~35–40 MiB of RSS that production code does not have.

- **latency p50/p99, c=1** — ${s.latencyRequestsPerRound} small non-streaming
  \`POST /v1/messages\` per round, one at a time; request start to last body
  byte, at the load generator. *Added* = target − direct.
- **throughput, c=64** — ${s.throughputConcurrency} workers sending small
  non-streaming requests back to back for ${s.throughputSecondsPerRound} s per
  round (after a 0.3 s re-warm); completed requests / elapsed time. The table
  shows the median round and the slowest and fastest used; **vs nginx** / **vs direct** is the
  median of per-round ratios (each round ran every target within seconds, so
  pairing by round cancels slow changes in what else the machine is doing).
  On a 2-core machine the load generator, the proxy and the upstream share the
  CPU, so a proxy that costs less CPU leaves more for the other two: that is
  what the ratio against nginx captures. **proxy CPU per request** is the
  proxy process's user+system time (from \`/proc/PID/stat\`) over those rounds
  divided by requests served — the steadiest measure of hot-path cost, since
  it barely moves when other processes compete for the CPU. The row under it
  is the same measure for the load generator and the fake upstream while
  that target was measured: what each response costs the other two processes.
- **stream TTFB** — ${s.streamsPerRound} streaming requests per round,
  ${s.streamConcurrency} at a time; request start to the first body byte.
- **inter-chunk gap** — in the same streams, the time between consecutive SSE
  events arriving (each event is timestamped by the chunk that completes it,
  so a proxy that holds or coalesces events shows a longer gap). Nominal gap is
  the upstream's ${s.chunkDelayMs} ms pacing; *added* = target − direct at the
  same percentile.
- **peak RSS** — from \`/proc/PID/status\` (VmHWM, reset through
  \`/proc/PID/clear_refs\` at the start of each measured stretch, plus VmRSS
  sampled every 20 ms). *c=64 non-streaming*: the highest of the throughput
  rounds. *${s.heldStreams} concurrent streams*: ${s.heldStreams} paced
  streams kept open back to back for ${s.heldSeconds} s by the process that
  served every earlier phase, and again by a *fresh process* of the same kind
  after one warm-up round of streams (what the streams alone need); **the goal
  is judged on the higher of the two**. Node's RSS under load is mostly V8
  heap that the garbage collector has not handed back yet, so it moves by
  ±15 MiB from run to run. For nginx it is the worker's RSS.
- **other processes' CPU** — the machine's user+system time (\`/proc/stat\`)
  minus the benchmark's own processes, as % of one core, per round
  (\`rounds\` in latest.json); when it is high, throughput and p99s are
  noisy, CPU per request much less so.

## Reading the results

The columns subtract from one another: **node-naive − direct** is what any
Node pass-through (node:http in, undici out) costs; **qcc-static-plan −
node-naive** is the ProxyServer's own per-request work (auth, body capture,
header rewriting, classification, commit, relay, request log) minus what it
saves over the naive proxy: its own HTTP/1.1 server on \`net\` sockets
(\`src-main/engine/node/proxy/http1/\`: no IncomingMessage or ServerResponse
streams, each head written with its first body bytes in one buffer) and
its own HTTP/1.1 upstream client (\`src-main/engine/node/proxy/upstream/\`:
keep-alive pools per origin, a handler per request instead of a body stream,
promise or AbortController, each request written in one buffer);
**qcc − qcc-static-plan** is the engine on the request path (\`Engine.plan()\`
and its \`settle()\`, \`report\` → \`recordOutcome()\` and its \`settle()\`).
*Proxy CPU per request* shows those steps most clearly.

Throughput is the whole machine's: on 2 cores the load generator and the
upstream share the CPU with the proxy, so what a response costs *them* counts
too. QCC's responses carry three headers the others do not
(\`x-qcc-config\`, \`x-qcc-endpoint\`, \`x-qcc-attempts\`, which the CLI, the
demo and the e2e tests read); the *load generator + upstream CPU per
request* row shows what they cost the load generator (about 1 µs per request
when this was written, a few hundredths of the ratio to nginx).

## Goals (from the issue)

Added p50 latency ≤ 0.5 ms; throughput ≥ 0.7× nginx (one worker) at
concurrency 64; no added inter-chunk delay beyond 1 ms p99; RSS ≤ 120 MB
(read as MiB). The issue estimates that a naive pass-through Node proxy
reaches about 0.45× nginx on such a machine (the node-naive column measures
that here), so the failover logic has to stay off the hot path's cost.

## Latest results

Run on ${report.date.slice(0, 10)} at ${report.date.slice(11, 19)} UTC, taking ${report.durationSeconds.toFixed(0)} s, on:

- CPU: ${report.machine.cpu}, ${report.machine.cores} cores
- memory: ${report.machine.memoryGiB.toFixed(1)} GiB
- OS: ${report.machine.os}
- Node ${report.machine.node}
- ${report.machine.nginx ?? 'nginx: not installed'}
- other processes' CPU while measuring: ${report.foreignCpuPercent.toFixed(0)}% of one core on average

${markdownTable(resultRows(report))}

${markdownTable(checkRows(report.checks), false)}
${report.notes.length > 0 ? `\n${report.notes.map((note) => `- ${note}`).join('\n')}\n` : ''}
${renderHistory(history)}
Machine-readable: [\`results/latest.json\`](results/latest.json). Where QCC's CPU goes:
[\`results/qcc-profile.md\`](results/qcc-profile.md) (written by \`--profile\`, not by every run).
`;
}
