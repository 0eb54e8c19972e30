/**
 * Child process: the load generator. Runs in its own process so its CPU is
 * not the proxy's; speaks HTTP/1.1 keep-alive through undici pools that stay
 * open across commands (the warm-up's connections are the measured ones).
 */
import { Pool } from 'undici';
import {
  BENCH_TOKEN,
  EVENTS_PER_STREAM,
  announceReady,
  messageBody,
  serveCommands,
  type HoldResult,
  type LatencyResult,
  type LoadCommand,
  type StreamsResult,
  type ThroughputResult,
} from './protocol.js';

const HEADERS = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': BENCH_TOKEN };
const PLAIN_BODY = messageBody(false);
const STREAM_BODY = messageBody(true);
const NEWLINE = 0x0a;

const pools = new Map<string, Pool>();

/** One pool per target and connection count, kept for the whole run. */
function poolFor(url: string, connections: number): Pool {
  const key = `${url} ${connections}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = new Pool(url, { connections, pipelining: 1, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000 });
    pools.set(key, pool);
  }
  return pool;
}

/** One small non-streaming request, body read to the end; true when it was a whole 200 message. */
async function plainRequest(pool: Pool): Promise<boolean> {
  const response = await pool.request({ path: '/v1/messages', method: 'POST', headers: HEADERS, body: PLAIN_BODY });
  const body = Buffer.from(await response.body.arrayBuffer());
  return response.statusCode === 200 && body.length > 0 && body[body.length - 1] === 0x7d; // ends with '}'
}

async function latency(url: string, requests: number): Promise<LatencyResult> {
  const pool = poolFor(url, 1);
  const samples: number[] = [];
  let errors = 0;
  for (let i = 0; i < requests; i++) {
    const started = performance.now();
    const ok = await plainRequest(pool).catch(() => false);
    samples.push(performance.now() - started);
    if (!ok) errors++;
  }
  return { samples, errors };
}

async function throughput(url: string, concurrency: number, durationMs: number): Promise<ThroughputResult> {
  const pool = poolFor(url, concurrency);
  const started = performance.now();
  const deadline = started + durationMs;
  let completed = 0;
  let errors = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      if (await plainRequest(pool).catch(() => false)) completed++;
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { completed, errors, elapsedMs: performance.now() - started };
}

interface StreamTiming {
  ok: boolean;
  ttfb: number;
  /** Arrival time of each complete SSE event, ms from request start. */
  events: number[];
}

/** One paced stream; timestamps the chunk that completes each SSE event (a blank line ends an event). */
async function streamRequest(pool: Pool): Promise<StreamTiming> {
  const started = performance.now();
  const response = await pool.request({ path: '/v1/messages', method: 'POST', headers: HEADERS, body: STREAM_BODY });
  const events: number[] = [];
  let ttfb = -1;
  let pendingNewline = false;
  let tail = '';
  await new Promise<void>((resolve, reject) => {
    response.body.on('data', (chunk: Buffer) => {
      const now = performance.now() - started;
      if (ttfb < 0) ttfb = now;
      // A blank line (two newlines in a row, possibly split across chunks) ends an event.
      let last = -1;
      let unpaired = false;
      for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) {
        const follows: boolean = at === 0 ? pendingNewline : last === at - 1 && unpaired;
        if (follows) events.push(now);
        unpaired = !follows;
        last = at;
      }
      pendingNewline = last === chunk.length - 1 && unpaired;
      tail = (tail + chunk.toString('latin1')).slice(-64);
    });
    response.body.once('end', resolve);
    response.body.once('error', reject);
  });
  const ok = response.statusCode === 200 && events.length === EVENTS_PER_STREAM && tail.includes('message_stop');
  return { ok, ttfb, events };
}

/** Runs `task` `total` times with at most `concurrency` in flight. */
async function pooled<T>(total: number, concurrency: number, task: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let started = 0;
  const worker = async () => {
    while (started < total) {
      started++;
      results.push(await task());
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return results;
}

async function streams(url: string, count: number, concurrency: number): Promise<StreamsResult> {
  const pool = poolFor(url, concurrency);
  const failed: StreamTiming = { ok: false, ttfb: -1, events: [] };
  const timings = await pooled(count, concurrency, () => streamRequest(pool).catch(() => failed));
  const result: StreamsResult = { ttfb: [], gaps: [], errors: 0 };
  for (const timing of timings) {
    if (!timing.ok) {
      result.errors++;
      continue;
    }
    result.ttfb.push(timing.ttfb);
    for (let i = 1; i < timing.events.length; i++) result.gaps.push((timing.events[i] as number) - (timing.events[i - 1] as number));
  }
  return result;
}

async function holdStreams(url: string, concurrency: number, durationMs: number): Promise<HoldResult> {
  const pool = poolFor(url, concurrency);
  const deadline = performance.now() + durationMs;
  let completed = 0;
  let errors = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const timing = await streamRequest(pool).catch(() => null);
      if (timing?.ok) completed++;
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { completed, errors };
}

function run(command: LoadCommand): Promise<unknown> {
  switch (command.op) {
    case 'latency':
      return latency(command.url, command.requests);
    case 'throughput':
      return throughput(command.url, command.concurrency, command.durationMs);
    case 'streams':
      return streams(command.url, command.streams, command.concurrency);
    case 'hold-streams':
      return holdStreams(command.url, command.concurrency, command.durationMs);
  }
}

serveCommands(run, async () => {
  await Promise.all([...pools.values()].map((pool) => pool.close()));
});
announceReady('');
