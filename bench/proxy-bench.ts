/**
 * `npm run bench`: QCC's proxy against a direct connection, a naive Node
 * pass-through and nginx, side by side in one run against the same fake
 * upstream on loopback. Every role is its own process; this one only
 * orchestrates, reads /proc, and reports. See bench/README.md.
 *
 *   npm run bench                 full run; writes bench/README.md and bench/results/latest.json, appends to results/history.json
 *   npm run bench -- --quick      one short round; writes nothing
 *   npm run bench -- --profile    QCC under --cpu-prof; writes bench/results/qcc-profile.md
 *   npm run bench -- --tsx        children under `--import tsx` instead of transpiled JS (RSS then includes tsx's loader)
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compileChildren } from './compile.js';
import { appendHistory, historyEntry, measuredCommit } from './history.js';
import { renderProfile, summariseProfile } from './cpu-profile.js';
import { Nginx, nginxVersion } from './nginx.js';
import { cpuMsOf, foreignCpu, memoryOf, resetPeak, sampleRss } from './procfs.js';
import { BenchChild, CHUNK_DELAY_MS, STREAM_DELTAS, type LoadCommand, type LoadResults } from './protocol.js';
import { evaluate, renderReadme, renderText, type BenchReport, type Machine, type PhaseRounds, type Settings, type TargetName, type TargetResult } from './report.js';
import { median, percentile, round } from './stats.js';

const { values: flags } = parseArgs({ options: { quick: { type: 'boolean' }, profile: { type: 'boolean' }, tsx: { type: 'boolean' } } });
const quick = flags.quick === true;
const profiling = flags.profile === true;
const underTsx = flags.tsx === true;

const childRuntime = underTsx ? 'node --import tsx (TypeScript sources)' : 'node (TypeScript transpiled to JS at start-up, no loader)';
const SETTINGS: Settings = quick
  ? { childRuntime, rounds: 1, latencyRequestsPerRound: 300, throughputConcurrency: 64, throughputSecondsPerRound: 1, streamsPerRound: 16, streamConcurrency: 8, streamDeltas: STREAM_DELTAS, chunkDelayMs: CHUNK_DELAY_MS, heldStreams: 64, heldSeconds: 1 }
  : { childRuntime, rounds: 8, latencyRequestsPerRound: 600, throughputConcurrency: 64, throughputSecondsPerRound: 1, streamsPerRound: 16, streamConcurrency: 8, streamDeltas: STREAM_DELTAS, chunkDelayMs: CHUNK_DELAY_MS, heldStreams: 64, heldSeconds: 3 };

const MiB = 1024 * 1024;
/** A throughput round counts as quiet when other processes used at most this much of one core meanwhile. */
const QUIET_LIMIT_PERCENT = 25;
const CHILDREN = ['bench/child-upstream.ts', 'bench/child-load-generator.ts', 'bench/child-qcc.ts', 'bench/child-naive-proxy.ts'] as const;
const benchDir = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = join(benchDir, '..');
const resultsDir = join(benchDir, 'results');

interface Target {
  name: TargetName;
  url: string;
  /** The process doing the proxying; null for direct. */
  pid: number | null;
  /** Starts another process like this target's, for the fresh-process memory measurement; absent for direct and nginx. */
  fresh?: () => Promise<BenchChild>;
}

/** Everything measured for one target, pooled over rounds. */
interface Raw {
  latency: number[];
  latencyErrors: number;
  completed: number;
  /** Requests/s of every round, and of the rounds the medians use. */
  allRounds: number[];
  perRound: number[];
  throughputErrors: number;
  cpuMs: number;
  /** The load generator's and the upstream's CPU over the same rounds. */
  loadCpuMs: number;
  upstreamCpuMs: number;
  ttfb: number[];
  gaps: number[];
  streams: number;
  streamErrors: number;
  idleRss: number;
  throughputPeak: number;
  memory: TargetResult['memory'];
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function machine(nginx: string | null): Machine {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: os.cpus().length,
    memoryGiB: os.totalmem() / 1024 ** 3,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    nginx,
  };
}

/** The order for round `r`: rotated so no target always runs first or last. */
function rotation<T>(items: T[], r: number): T[] {
  const k = r % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

async function main(): Promise<void> {
  const started = performance.now();
  // Read before measuring: the code this run measures.
  const commit = measuredCommit(repoRoot);
  const children: BenchChild[] = [];
  let nginx: Nginx | null = null;
  const profileDir = profiling ? mkdtempSync(join(os.tmpdir(), 'qcc-bench-prof-')) : null;
  const profileFlags = (name: string) => (profileDir ? ['--cpu-prof', '--cpu-prof-dir', join(profileDir, name)] : []);
  const compiled = underTsx ? null : compileChildren(CHILDREN);
  /** Starts `bench/<script>` as its own Node process: transpiled JS on bare node, or the .ts under tsx. */
  const spawnChild = (name: string, script: (typeof CHILDREN)[number], args: string[] = [], nodeFlags: string[] = []) =>
    compiled
      ? BenchChild.start(name, compiled.path(script), args, nodeFlags)
      : BenchChild.start(name, join(repoRoot, script), args, [...nodeFlags, '--import', 'tsx']);
  const cleanup = () => {
    for (const child of children) child.kill();
    void nginx?.stop();
    compiled?.dispose();
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });

  try {
    const before = foreignCpu(() => [process.pid]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const busyBefore = before.stop();
    if (busyBefore > 20) log(`warning: other processes are using ${busyBefore.toFixed(0)}% of a core; results will be noisy`);
    log(`starting processes${quick ? ' (quick run)' : ''}${profiling ? ' (QCC under --cpu-prof)' : ''}`);
    const upstream = await spawnChild('upstream', 'bench/child-upstream.ts');
    children.push(upstream);
    const load = await spawnChild('load-generator', 'bench/child-load-generator.ts');
    children.push(load);
    const qcc = await spawnChild('qcc', 'bench/child-qcc.ts', [upstream.url], profileFlags('qcc'));
    children.push(qcc);
    const staticPlan = await spawnChild('qcc-static-plan', 'bench/child-qcc.ts', [upstream.url, '--static-plan']);
    children.push(staticPlan);
    const naive = await spawnChild('node-naive', 'bench/child-naive-proxy.ts', [upstream.url], profileFlags('node-naive'));
    children.push(naive);

    const version = nginxVersion();
    const notes: string[] = [];
    if (busyBefore > 20) notes.push(`other processes were using ${busyBefore.toFixed(0)}% of a core when the run started.`);
    if (version) nginx = await Nginx.start(upstream.url);
    else {
      const message = 'nginx: not installed, skipped (apt-get install nginx)';
      log(message);
      notes.push(`${message}; ratios are against direct only.`);
    }

    const targets: Target[] = [
      { name: 'direct', url: upstream.url, pid: null },
      { name: 'node-naive', url: naive.url, pid: naive.pid, fresh: () => spawnChild('node-naive (fresh)', 'bench/child-naive-proxy.ts', [upstream.url]) },
      {
        name: 'qcc-static-plan',
        url: staticPlan.url,
        pid: staticPlan.pid,
        fresh: () => spawnChild('qcc-static-plan (fresh)', 'bench/child-qcc.ts', [upstream.url, '--static-plan']),
      },
      { name: 'qcc', url: qcc.url, pid: qcc.pid, fresh: () => spawnChild('qcc (fresh)', 'bench/child-qcc.ts', [upstream.url]) },
      ...(nginx ? [{ name: 'nginx' as const, url: nginx.url, pid: nginx.workerPid }] : []),
    ];
    // Let every process settle (nginx's worker has only just forked) before reading idle memory.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const raw = new Map<TargetName, Raw>(
      targets.map((t) => [
        t.name,
        { latency: [], latencyErrors: 0, completed: 0, allRounds: [], perRound: [], throughputErrors: 0, cpuMs: 0, loadCpuMs: 0, upstreamCpuMs: 0, ttfb: [], gaps: [], streams: 0, streamErrors: 0, idleRss: t.pid === null ? NaN : memoryOf(t.pid).rss, throughputPeak: 0, memory: null },
      ]),
    );
    const rawOf = (t: Target) => raw.get(t.name) as Raw;
    /** Requests each target served in the whole run, warm-ups included (to put profiles per request). */
    const served = new Map<TargetName, number>(targets.map((t) => [t.name, 0]));
    const run = async <C extends LoadCommand>(t: Target, command: C): Promise<LoadResults[C['op']]> => {
      const result = await load.run(command);
      const count = 'samples' in result ? result.samples.length : 'ttfb' in result ? result.ttfb.length + result.errors : result.completed + result.errors;
      served.set(t.name, (served.get(t.name) ?? 0) + count);
      return result;
    };
    const s = SETTINGS;

    log('warming up every target');
    for (const t of targets) {
      await run(t, { op: 'latency', url: t.url, requests: quick ? 200 : 500 });
      await run(t, { op: 'throughput', url: t.url, concurrency: s.throughputConcurrency, durationMs: quick ? 500 : 1_500 });
      await run(t, { op: 'streams', url: t.url, streams: s.streamConcurrency * 2, concurrency: s.streamConcurrency });
      await run(t, { op: 'streams', url: t.url, streams: s.heldStreams, concurrency: s.heldStreams });
    }

    const ourPids = () => [process.pid, ...children.filter((child) => child.alive).map((child) => child.pid), ...(nginx ? [nginx.masterPid, nginx.workerPid] : [])];
    const wholeRun = foreignCpu(ourPids);

    // Other work on a 2-core machine disturbs every number here. Each phase runs in rounds; a round during
    // which other processes used more than QUIET_LIMIT_PERCENT of a core is run again (at most half as many
    // extra rounds) and left out, unless too few rounds were quiet — then every round counts, and a note says so.
    const roundLog: PhaseRounds[] = [];
    const inRounds = async (phase: string, runRound: (r: number) => Promise<void>): Promise<boolean[]> => {
      const foreign: number[] = [];
      const quiet = () => foreign.filter((p) => p <= QUIET_LIMIT_PERCENT).length;
      for (let r = 0; quiet() < s.rounds && r < Math.ceil(s.rounds * 1.5); r++) {
        log(`${phase}: round ${r + 1} (${quiet()}/${s.rounds} quiet so far)`);
        const meter = foreignCpu(ourPids);
        await runRound(r);
        foreign.push(meter.stop());
      }
      const useAll = quiet() < Math.min(3, s.rounds);
      const used = foreign.map((p) => useAll || p <= QUIET_LIMIT_PERCENT);
      const left = used.filter((u) => !u).length;
      if (useAll && quiet() < foreign.length) notes.push(`${phase}: only ${quiet()} of ${foreign.length} rounds ran without other processes using more than ${QUIET_LIMIT_PERCENT}% of a core; every round counts, so these numbers are noisy.`);
      else if (left > 0) notes.push(`${phase}: ${left} of ${foreign.length} rounds had other processes using more than ${QUIET_LIMIT_PERCENT}% of a core and were left out.`);
      roundLog.push({ phase, foreignCpuPercent: foreign, used });
      return used;
    };

    const latencyRounds = targets.map(() => [] as LoadResults['latency'][]);
    const usedLatency = await inRounds('latency at c=1', async (r) => {
      for (const t of rotation(targets, r)) latencyRounds[targets.indexOf(t)]?.push(await run(t, { op: 'latency', url: t.url, requests: s.latencyRequestsPerRound }));
    });
    targets.forEach((t, i) => {
      (latencyRounds[i] ?? []).forEach((result, r) => {
        rawOf(t).latencyErrors += result.errors;
        if (usedLatency[r]) rawOf(t).latency.push(...result.samples);
      });
    });

    const usedThroughput = await inRounds(`throughput at c=${s.throughputConcurrency}`, async (r) => {
      for (const t of rotation(targets, r)) {
        await run(t, { op: 'throughput', url: t.url, concurrency: s.throughputConcurrency, durationMs: 300 });
        const cpuBefore = t.pid === null ? 0 : cpuMsOf(t.pid);
        const loadBefore = cpuMsOf(load.pid);
        const upstreamBefore = cpuMsOf(upstream.pid);
        if (t.pid !== null) resetPeak(t.pid);
        const result = await run(t, { op: 'throughput', url: t.url, concurrency: s.throughputConcurrency, durationMs: s.throughputSecondsPerRound * 1_000 });
        const entry = rawOf(t);
        entry.loadCpuMs += cpuMsOf(load.pid) - loadBefore;
        entry.upstreamCpuMs += cpuMsOf(upstream.pid) - upstreamBefore;
        // CPU per request and memory peaks come from every round: they barely depend on other load.
        if (t.pid !== null) {
          entry.cpuMs += cpuMsOf(t.pid) - cpuBefore;
          entry.throughputPeak = Math.max(entry.throughputPeak, memoryOf(t.pid).peak);
        }
        entry.completed += result.completed;
        entry.throughputErrors += result.errors;
        entry.allRounds.push((result.completed * 1_000) / result.elapsedMs);
      }
    });
    for (const t of targets) rawOf(t).perRound = rawOf(t).allRounds.filter((_, r) => usedThroughput[r]);

    const streamRounds = targets.map(() => [] as LoadResults['streams'][]);
    const usedStreams = await inRounds('streams (TTFB, inter-chunk gaps)', async (r) => {
      for (const t of rotation(targets, r)) streamRounds[targets.indexOf(t)]?.push(await run(t, { op: 'streams', url: t.url, streams: s.streamsPerRound, concurrency: s.streamConcurrency }));
    });
    targets.forEach((t, i) => {
      (streamRounds[i] ?? []).forEach((result, r) => {
        const entry = rawOf(t);
        entry.streamErrors += result.errors;
        if (!usedStreams[r]) return;
        entry.ttfb.push(...result.ttfb);
        entry.gaps.push(...result.gaps);
        entry.streams += result.ttfb.length;
      });
    });

    /** Holds the streams open against `url` and returns the process's peak RSS meanwhile. */
    const holdPeak = async (t: Target, url: string, pid: number) => {
      const reset = resetPeak(pid);
      const sampler = sampleRss(pid);
      const command = { op: 'hold-streams', url, concurrency: s.heldStreams, durationMs: s.heldSeconds * 1_000 } as const;
      const result = url === t.url ? await run(t, command) : await load.run(command);
      const sampled = sampler.stop();
      if (!reset && !notes.some((note) => note.includes('clear_refs'))) notes.push('the kernel refused to reset VmHWM (/proc/PID/clear_refs); stream-phase peaks are 20 ms samples.');
      return { peak: reset ? Math.max(memoryOf(pid).peak, sampled) : sampled, sampled, result };
    };

    for (const t of targets) {
      if (t.pid === null) continue;
      log(`${t.name}: memory with ${s.heldStreams} concurrent streams, after all the other phases`);
      const before = memoryOf(t.pid);
      const held = await holdPeak(t, t.url, t.pid);
      let freshPeak = NaN;
      if (t.fresh) {
        log(`${t.name}: memory with ${s.heldStreams} concurrent streams, in a fresh process`);
        const fresh = await t.fresh();
        children.push(fresh);
        // One round of streams so code is compiled and connections exist, as in a proxy that has served a little.
        await load.run({ op: 'streams', url: fresh.url, streams: s.heldStreams, concurrency: s.heldStreams });
        freshPeak = (await holdPeak(t, fresh.url, fresh.pid)).peak;
        await fresh.stop();
      }
      rawOf(t).memory = {
        idleMiB: rawOf(t).idleRss / MiB,
        beforeMiB: before.rss / MiB,
        throughputPeakMiB: rawOf(t).throughputPeak / MiB,
        peakMiB: held.peak / MiB,
        sampledPeakMiB: held.sampled / MiB,
        freshPeakMiB: freshPeak / MiB,
        streamsCompleted: held.result.completed,
        errors: held.result.errors,
      };
    }

    const foreignCpuPercent = wholeRun.stop();
    notes.push(`other processes on the machine used ${foreignCpuPercent.toFixed(0)}% of one core (of ${os.cpus().length * 100}%) on average while this run measured.`);

    const nginxErrors = nginx?.errors() ?? '';
    if (nginxErrors) notes.push(`nginx logged: ${nginxErrors.split('\n').slice(0, 3).join(' | ')}`);

    const results: TargetResult[] = targets.map((t) => {
      const e = rawOf(t);
      return {
        name: t.name,
        latency: { p50: percentile(e.latency, 0.5), p99: percentile(e.latency, 0.99), samples: e.latency.length, errors: e.latencyErrors },
        throughput: {
          rps: median(e.perRound),
          perRound: e.perRound,
          allRounds: e.allRounds,
          errors: e.throughputErrors,
          cpuUsPerRequest: t.pid === null ? null : (e.cpuMs * 1_000) / e.completed,
          loadCpuUsPerRequest: (e.loadCpuMs * 1_000) / e.completed,
          upstreamCpuUsPerRequest: (e.upstreamCpuMs * 1_000) / e.completed,
        },
        streams: {
          ttfbP50: percentile(e.ttfb, 0.5),
          ttfbP99: percentile(e.ttfb, 0.99),
          gapP50: percentile(e.gaps, 0.5),
          gapP99: percentile(e.gaps, 0.99),
          streams: e.streams,
          gaps: e.gaps.length,
          errors: e.streamErrors,
        },
        memory: e.memory,
      };
    });
    const errorCount = results.reduce((sum, t) => sum + t.latency.errors + t.throughput.errors + t.streams.errors + (t.memory?.errors ?? 0), 0);
    if (errorCount > 0) notes.push(`${errorCount} requests failed or came back incomplete; see the errors row.`);
    if (profiling) notes.push('QCC ran under --cpu-prof: its numbers include profiler overhead.');
    if (underTsx) notes.push('Children ran under --import tsx: every Node RSS includes tsx\'s loader thread (~35–40 MiB).');

    const report: BenchReport = {
      date: new Date().toISOString(),
      durationSeconds: 0,
      machine: machine(version),
      settings: s,
      targets: results,
      foreignCpuPercent,
      rounds: roundLog,
      checks: evaluate(results),
      notes,
    };

    log('stopping processes');
    for (const child of [qcc, staticPlan, naive, load, upstream]) await child.stop();
    await nginx?.stop();
    nginx = null;
    report.durationSeconds = (performance.now() - started) / 1_000;

    process.stdout.write(`\n${renderText(report)}\n`);
    if (!quick && !profiling && !underTsx) {
      mkdirSync(resultsDir, { recursive: true });
      writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(report, (_key, value: unknown) => (typeof value === 'number' ? round(value, 4) : value), 2)}\n`);
      const history = appendHistory(join(resultsDir, 'history.json'), historyEntry(report, commit));
      writeFileSync(join(benchDir, 'README.md'), renderReadme(report, history));
      log('wrote bench/README.md and bench/results/latest.json');
    }
    if (profileDir) {
      const summary = (name: TargetName) => {
        const dir = join(profileDir, name);
        const file = readdirSync(dir).find((entry) => entry.endsWith('.cpuprofile'));
        if (!file) throw new Error(`no .cpuprofile written in ${dir}`);
        return summariseProfile(join(dir, file), served.get(name) ?? 0);
      };
      const markdown = renderProfile(summary('qcc'), summary('node-naive'));
      mkdirSync(resultsDir, { recursive: true });
      writeFileSync(join(resultsDir, 'qcc-profile.md'), markdown);
      process.stdout.write(`\n${markdown}`);
      rmSync(profileDir, { recursive: true, force: true });
      log('wrote bench/results/qcc-profile.md');
    }
  } finally {
    cleanup();
  }
}

await main();
