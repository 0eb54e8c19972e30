/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): where the proxy's
 * busy time went, by function (self time) and by QCC function (inclusive time).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileLine {
  name: string;
  where: string;
  ms: number;
  percent: number;
  /** ms spread over the requests the process served, in µs. */
  usPerRequest: number;
}

export interface ProfileSummary {
  file: string;
  requests: number;
  busyMs: number;
  self: ProfileLine[];
  /** Inclusive time of functions in this repository (src-main, src-shared). */
  ours: ProfileLine[];
  /** Self time grouped by where the code lives (engine core, proxy, undici, node:http, GC…). */
  areas: ProfileLine[];
}

// "(idle)" is the event loop waiting; "(program)" (native work V8 cannot attribute to JS, such as libuv) is busy time.
const IDLE = new Set(['(idle)']);

function where(url: string, line: number): string {
  if (url === '') return '';
  const repo = url.indexOf('/src-');
  const modules = url.lastIndexOf('/node_modules/');
  const short = repo !== -1 ? url.slice(repo + 1) : modules !== -1 ? url.slice(modules + 14) : url.replace(/^file:\/\//, '');
  return `${short}:${line + 1}`;
}

function area(url: string, name: string): string {
  if (name === '(garbage collector)') return 'garbage collector';
  if (url.includes('/src-main/engine/core/') || url.includes('/src-shared/')) return 'QCC engine core (src-main/engine/core, src-shared)';
  if (url.includes('/src-main/engine/node/proxy/')) return 'QCC proxy (src-main/engine/node/proxy)';
  if (url.includes('/src-main/')) return 'QCC other (src-main)';
  if (url.includes('/node_modules/undici/')) return 'undici (upstream client)';
  if (url.includes('/node_modules/')) return 'other node_modules';
  if (url.startsWith('node:')) return 'Node built-ins (http, net, streams, events)';
  return 'native / V8 / other';
}

/** Reads one profile and ranks where its busy (non-idle) time went; `requests` is how many the process served. */
export function summariseProfile(file: string, requests: number, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const selfByKey = new Map<string, ProfileLine>();
  const oursByKey = new Map<string, ProfileLine>();
  const byArea = new Map<string, ProfileLine>();
  const add = (map: Map<string, ProfileLine>, key: string, name: string, at: string, ms: number) => {
    const line = map.get(key) ?? { name, where: at, ms: 0, percent: 0, usPerRequest: 0 };
    line.ms += ms;
    map.set(key, line);
  };

  let busyMs = 0;
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    // A sample lasts until the next one is taken.
    const ms = (timeDeltas[i + 1] ?? timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(samples[i] as number);
    if (!node) continue;
    const name = node.callFrame.functionName || '(anonymous)';
    if (IDLE.has(name)) continue;
    busyMs += ms;
    const at = where(node.callFrame.url, node.callFrame.lineNumber);
    add(selfByKey, `${name} ${at}`, name, at, ms);
    add(byArea, area(node.callFrame.url, name), area(node.callFrame.url, name), '', ms);
    // Inclusive time: each of our functions on this sample's stack counts once.
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)?.callFrame;
      if (!frame || !/\/src-(main|shared)\//.test(frame.url)) continue;
      const frameName = frame.functionName || '(anonymous)';
      const frameAt = where(frame.url, frame.lineNumber);
      const key = `${frameName} ${frameAt}`;
      if (seen.has(key)) continue;
      seen.add(key);
      add(oursByKey, key, frameName, frameAt, ms);
    }
  }

  const rank = (map: Map<string, ProfileLine>, limit: number) =>
    [...map.values()]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, limit)
      .map((line) => ({ ...line, percent: busyMs > 0 ? (100 * line.ms) / busyMs : 0, usPerRequest: (1000 * line.ms) / requests }));
  return { file, requests, busyMs, self: rank(selfByKey, top), ours: rank(oursByKey, top), areas: rank(byArea, 20) };
}

const us = (value: number) => value.toFixed(1);

function functionTable(lines: ProfileLine[]): string {
  return [
    '| function | where | µs / request | % of busy |',
    '| --- | --- | ---: | ---: |',
    ...lines.map((l) => `| \`${l.name}\` | ${l.where} | ${us(l.usPerRequest)} | ${l.percent.toFixed(1)} |`),
  ].join('\n');
}

/** QCC's profile next to the naive proxy's, per request, so the difference is what QCC adds. */
export function renderProfile(qcc: ProfileSummary, naive: ProfileSummary): string {
  const areas = [...new Set([...qcc.areas, ...naive.areas].map((line) => line.name))];
  const perRequest = (summary: ProfileSummary, name: string) => summary.areas.find((line) => line.name === name)?.usPerRequest ?? 0;
  const rows = areas
    .map((name) => ({ name, qcc: perRequest(qcc, name), naive: perRequest(naive, name) }))
    .sort((a, b) => b.qcc - a.qcc)
    .map((row) => `| ${row.name} | ${us(row.naive)} | ${us(row.qcc)} | ${row.qcc - row.naive >= 0 ? '+' : ''}${us(row.qcc - row.naive)} |`);
  const busy = (summary: ProfileSummary) => (1000 * summary.busyMs) / summary.requests;
  const difference = busy(qcc) - busy(naive);
  return `# QCC proxy CPU profile

Both Node proxies ran under \`node --cpu-prof\` (1 ms sampling) for one whole
\`npm run bench -- --profile\` run; times are divided by the requests each
served (${naive.requests.toLocaleString('en-US')} and ${qcc.requests.toLocaleString('en-US')}), so the columns compare.
A sample in a native frame such as \`writev\` includes the kernel's work for
that syscall (on loopback, the receiving side's TCP processing too) and, on a
busy 2-core machine, time the process spent preempted on its way out of the
syscall (the write wakes the reader, which may take the CPU): V8 samples on a
wall-clock timer, so "busy" here overstates CPU time. The benchmark's *proxy
CPU per request* (from /proc) is the CPU measure; this profile says where the
JavaScript goes. Line numbers are in the transpiled JavaScript, close to the
TypeScript ones.
The raw profiles were written to a temp directory and removed after this summary.

## Busy time per request, by area

| area | naive µs / request | QCC µs / request | QCC − naive |
| --- | ---: | ---: | ---: |
${rows.join('\n')}
| **total busy** | **${us(busy(naive))}** | **${us(busy(qcc))}** | **${difference >= 0 ? '+' : ''}${us(difference)}** |

## QCC: top functions by self time

${functionTable(qcc.self)}

## QCC: its own functions by inclusive time

${functionTable(qcc.ours)}

## Naive proxy: top functions by self time

${functionTable(naive.self.slice(0, 15))}
`;
}
