import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuthStyle } from '../../../src-shared/model/config.js';
import { DEFAULT_POLICY, type FailoverPolicy } from '../../../src-shared/model/policy.js';
import { FakeAnthropic } from '../../fake-upstream/fake-anthropic.js';
import type { AttemptOutcome } from '../core/outcome.js';
import type { ProbeTarget } from '../core/ports.js';
import { HttpProber } from './http-prober.js';

// The HTTP prober against fake Anthropic upstreams on loopback, one test per
// thing a probe must tell apart (architecture.md §4.5): reachable, key
// rejected, rate limited, down.

const KEY = 'sk-ant-api03-PROBEKEY-SECRET-0123456789';
const POLICY: FailoverPolicy = { ...DEFAULT_POLICY, connect_timeout_ms: 1_000, first_byte_timeout_ms: 1_000 };

let fakes: FakeAnthropic[] = [];
let servers: Server[] = [];
let prober: HttpProber;

afterEach(async () => {
  await prober?.close();
  await Promise.all(fakes.map((fake) => fake.stop()));
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  fakes = [];
  servers = [];
});

async function fake(options: { apiKey?: string | null } = {}): Promise<FakeAnthropic> {
  const upstream = await FakeAnthropic.start({ apiKey: options.apiKey === undefined ? KEY : options.apiKey });
  fakes.push(upstream);
  return upstream;
}

function target(baseUrl: string, options: { key?: string; auth?: AuthStyle; model?: string; policy?: Partial<FailoverPolicy> } = {}): ProbeTarget {
  return {
    config: 'production',
    endpoint: { id: 'ep-1', base_url: baseUrl, api_key: options.key ?? KEY, auth_style: options.auth ?? 'x-api-key', enabled: true },
    message_probe: options.model ? { model: options.model } : null,
    policy: { ...POLICY, ...options.policy },
  };
}

/** Probes, and checks the one thing every outcome must satisfy: no key in it. */
async function probe(probeTarget: ProbeTarget): Promise<AttemptOutcome> {
  const outcome = await prober.probe(probeTarget);
  expect(JSON.stringify(outcome)).not.toContain(probeTarget.endpoint.api_key);
  return outcome;
}

function useProber(options: { maxTimeoutMs?: number } = {}): HttpProber {
  prober = new HttpProber(options);
  return prober;
}

describe('default probe: authenticated GET /v1/models', () => {
  it('reports a reachable endpoint as a success with its latency, sending the key as x-api-key', async () => {
    const upstream = await fake();
    useProber();
    const outcome = await probe(target(upstream.url));
    expect(outcome).toMatchObject({ kind: 'success', latency_ms: expect.any(Number) });
    expect(upstream.received).toHaveLength(1);
    const seen = upstream.received[0];
    expect(seen).toMatchObject({ method: 'GET', url: '/v1/models' });
    expect(seen?.headers).toMatchObject({ 'x-api-key': KEY, 'anthropic-version': '2023-06-01' });
    expect(seen?.headers.authorization).toBeUndefined();
  });

  it('sends the key as a Bearer token when the endpoint says so, under the base URL’s path prefix', async () => {
    const upstream = await fake();
    useProber();
    // The fake routes only /v1/models, so the prefixed path is a 404 (the relay case) — what matters here is what was sent.
    await probe(target(`${upstream.url}/api/anthropic`, { auth: 'bearer' }));
    const seen = upstream.received[0];
    expect(seen?.url).toBe('/api/anthropic/v1/models');
    expect(seen?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(seen?.headers['x-api-key']).toBeUndefined();
  });

  it('counts a relay without the route (404 everywhere) as reachable', async () => {
    const upstream = await fake();
    useProber();
    const outcome = await probe(target(`${upstream.url}/relay`));
    expect(outcome).toMatchObject({ kind: 'success', latency_ms: expect.any(Number) });
    // The fallback tried the Messages route too, with a body no server can fulfil.
    expect(upstream.received.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /relay/v1/models', 'POST /relay/v1/messages']);
    const fallback = JSON.parse(upstream.received[1]?.body.toString('utf8') ?? '{}');
    expect(fallback).toMatchObject({ max_tokens: 0, messages: [] });
  });

  it('still tells a rejected key apart on a relay without /v1/models, through the fallback', async () => {
    const upstream = await fake();
    useProber();
    await upstream.setFault({ kind: 'status', status: 404 }, { times: 1 }); // the models route "missing"
    expect(await probe(target(upstream.url, { key: 'sk-ant-wrong-key-0000000000' }))).toEqual({ kind: 'credential_rejected', status: 401 });

    await upstream.setFault({ kind: 'status', status: 405 }, { times: 1 });
    expect(await probe(target(upstream.url))).toMatchObject({ kind: 'success' });
  });

  it('reports a rejected key (401) and a forbidden one (403) as credential_rejected', async () => {
    const upstream = await fake({ apiKey: 'sk-ant-the-right-key-000000' });
    useProber();
    expect(await probe(target(upstream.url))).toEqual({ kind: 'credential_rejected', status: 401 });
    await upstream.setFault({ kind: 'status', status: 403 });
    expect(await probe(target(upstream.url))).toEqual({ kind: 'credential_rejected', status: 403 });
    await upstream.setFault({ kind: 'unauthorized' });
    expect(await probe(target(upstream.url))).toEqual({ kind: 'credential_rejected', status: 401 });
  });

  it('reports a 429 as rate limited with its retry-after', async () => {
    const upstream = await fake();
    useProber();
    await upstream.setFault({ kind: 'rate_limited', retryAfterSeconds: 7 });
    expect(await probe(target(upstream.url))).toEqual({ kind: 'rate_limited', retry_after_ms: 7_000, detail: 'rate limited (429)' });
  });

  it('reports 503 and 529 as failures', async () => {
    const upstream = await fake();
    useProber();
    await upstream.setFault({ kind: 'status', status: 503 });
    expect(await probe(target(upstream.url))).toEqual({ kind: 'failure', status: 503, detail: 'HTTP 503' });
    await upstream.setFault({ kind: 'overloaded' });
    expect(await probe(target(upstream.url))).toEqual({ kind: 'failure', status: 529, detail: 'HTTP 529 overloaded' });
  });

  it('counts another 4xx to its GET as reachable: the server answered about the request, not its health', async () => {
    const upstream = await fake();
    useProber();
    await upstream.setFault({ kind: 'status', status: 400 });
    expect(await probe(target(upstream.url))).toMatchObject({ kind: 'success' });
  });

  it('reports a refused connection as a failure', async () => {
    const upstream = await fake();
    useProber();
    await upstream.setFault({ kind: 'refuse' });
    expect(await probe(target(upstream.url))).toEqual({ kind: 'failure', detail: 'ECONNREFUSED' });
  });

  it('gives up on an upstream that never answers within the probe timeout', async () => {
    const upstream = await fake();
    useProber({ maxTimeoutMs: 300 });
    await upstream.setFault({ kind: 'hang' });
    const started = performance.now();
    expect(await probe(target(upstream.url))).toEqual({ kind: 'failure', detail: 'no answer within the probe timeout (300 ms)' });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('waits no longer than the policy’s first-byte timeout when that is shorter', async () => {
    const upstream = await fake();
    useProber();
    await upstream.setFault({ kind: 'hang' });
    const started = performance.now();
    expect(await probe(target(upstream.url, { policy: { first_byte_timeout_ms: 1_000 } }))).toEqual({
      kind: 'failure',
      detail: 'no answer within the probe timeout (1000 ms)',
    });
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('keeps connections alive between probes instead of opening one per probe', async () => {
    const upstream = await fake();
    useProber();
    for (let i = 0; i < 6; i++) await probe(target(upstream.url));
    expect(upstream.received).toHaveLength(6);
    expect(upstream.openSockets()).toBeGreaterThanOrEqual(1);
    expect(upstream.openSockets()).toBeLessThanOrEqual(2);
  });
});

describe('opt-in message probe', () => {
  it('sends exactly one 1-token POST /v1/messages with the configured model', async () => {
    const upstream = await fake();
    useProber();
    const outcome = await probe(target(upstream.url, { model: 'claude-haiku-4-5-20251001' }));
    expect(outcome).toMatchObject({ kind: 'success', latency_ms: expect.any(Number) });
    expect(upstream.received).toHaveLength(1);
    const seen = upstream.received[0];
    expect(seen).toMatchObject({ method: 'POST', url: '/v1/messages' });
    expect(seen?.headers).toMatchObject({ 'x-api-key': KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' });
    expect(JSON.parse(seen?.body.toString('utf8') ?? '')).toEqual({
      model: 'claude-haiku-4-5-20251001',
      max_tokens: 1,
      messages: [{ role: 'user', content: 'ping' }],
    });
  });

  it('reports a refused request (a wrong model) as a failure the user can read', async () => {
    const upstream = await fake();
    useProber();
    await upstream.setFault({ kind: 'status', status: 404 });
    expect(await probe(target(upstream.url, { model: 'claude-nope' }))).toEqual({ kind: 'failure', status: 404, detail: 'message probe rejected (404): Not found' });
    await upstream.setFault({ kind: 'status', status: 400 });
    expect(await probe(target(upstream.url, { model: 'claude-nope' }))).toEqual({
      kind: 'failure',
      status: 400,
      detail: 'message probe rejected (400): Invalid request.',
    });
  });

  it('classifies 401, 429 and 529 like the default probe', async () => {
    const upstream = await fake({ apiKey: 'sk-ant-other-key-0000000000' });
    useProber();
    expect(await probe(target(upstream.url, { model: 'm' }))).toEqual({ kind: 'credential_rejected', status: 401 });
    await upstream.setFault({ kind: 'rate_limited', retryAfterSeconds: 3 });
    expect(await probe(target(upstream.url, { model: 'm' }))).toMatchObject({ kind: 'rate_limited', retry_after_ms: 3_000 });
    await upstream.setFault({ kind: 'overloaded' });
    expect(await probe(target(upstream.url, { model: 'm' }))).toMatchObject({ kind: 'failure', status: 529 });
  });

  it('never quotes the key, even when the upstream echoes it back', async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const body = JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: `model x not allowed for key ${String(req.headers['x-api-key'])}` } });
        res.writeHead(400, { 'content-type': 'application/json' }).end(body);
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    useProber();
    const outcome = await probe(target(`http://127.0.0.1:${port}`, { model: 'x' }));
    expect(outcome).toEqual({ kind: 'failure', status: 400, detail: 'message probe rejected (400): model x not allowed for key [key]' });
  });
});

describe('close', () => {
  it('ends probes in flight as failures and refuses new ones', async () => {
    const upstream = await fake();
    const closing = useProber();
    await upstream.setFault({ kind: 'hang' });
    const pending = closing.probe(target(upstream.url, { policy: { first_byte_timeout_ms: 60_000 } }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await closing.close();
    expect(await pending).toEqual({ kind: 'failure', detail: 'probe cancelled: the prober is closed' });
    expect(await closing.probe(target(upstream.url))).toMatchObject({ kind: 'failure' });
  });
});
