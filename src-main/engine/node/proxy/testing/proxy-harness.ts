import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import type { FailoverPolicyPatch } from '../../../../../src-shared/model/policy.js';
import type { Tier } from '../../../../../src-shared/model/tier.js';
import { FakeAnthropic } from '../../../../fake-upstream/fake-anthropic.js';
import { Engine } from '../../../core/engine.js';
import { MemoryEventLog, MemorySettingsRepository, RecordingNotifier, SequentialIds } from '../../../core/testing/fakes.js';
import { SystemClock } from '../../system-clock.js';
import { ProxyServer, type ProxiedRequestLog, type ProxyServerOptions } from '../proxy-server.js';

export const PROXY_TOKEN = 'qcc-test-proxy-token-0123456789';

export interface HarnessConfigSpec {
  name: string;
  tier: Tier;
  /** One fake upstream per entry, named `${config}-${i}`. */
  endpoints: number;
  /** Path prefix in the endpoint base URL, e.g. `/relay`. */
  prefix?: string;
  authStyle?: 'x-api-key' | 'bearer';
  /** Serve over HTTPS with the test certificate (localhost-cert.pem here), which the proxy is told to trust. */
  tls?: boolean;
}

const TEST_CERT = { cert: readFileSync(new URL('./localhost-cert.pem', import.meta.url)), key: readFileSync(new URL('./localhost-key.pem', import.meta.url)) };

/** Real fake upstreams on loopback, a real engine, and the proxy in front of them. */
export class ProxyHarness {
  readonly upstreams = new Map<string, FakeAnthropic>();
  readonly logs: ProxiedRequestLog[] = [];
  private readonly client = new Agent({ keepAliveTimeout: 1_000 });
  engine!: Engine;
  proxy!: ProxyServer;
  notifier = new RecordingNotifier();

  static async start(configs: HarnessConfigSpec[], policy: FailoverPolicyPatch = {}, options: Partial<ProxyServerOptions> = {}): Promise<ProxyHarness> {
    const harness = new ProxyHarness();
    harness.engine = await Engine.start({
      clock: new SystemClock(),
      ids: new SequentialIds(),
      settings: new MemorySettingsRepository(),
      events: new MemoryEventLog(),
      notifier: harness.notifier,
    });
    if (Object.keys(policy).length > 0) await harness.engine.invoke('policy:update', policy);
    for (const spec of configs) {
      const endpoints = [];
      for (let i = 0; i < spec.endpoints; i++) {
        const name = `${spec.name}-${i}`;
        const key = `sk-ant-${name}-upstream-key-000000`;
        const upstream = await FakeAnthropic.start({ name, apiKey: key, tls: spec.tls ? TEST_CERT : undefined });
        harness.upstreams.set(name, upstream);
        endpoints.push({ base_url: `${upstream.url}${spec.prefix ?? ''}`, api_key: key, auth_style: spec.authStyle ?? 'x-api-key' });
      }
      await harness.engine.invoke('config:add', { name: spec.name, tier: spec.tier, endpoints });
    }
    const upstreamTls = configs.some((spec) => spec.tls) ? { ca: TEST_CERT.cert } : undefined;
    harness.proxy = new ProxyServer({ engine: harness.engine, token: PROXY_TOKEN, onRequest: (entry) => harness.logs.push(entry), upstreamTls, ...options });
    await harness.proxy.listen(0);
    return harness;
  }

  upstream(name: string): FakeAnthropic {
    const upstream = this.upstreams.get(name);
    if (!upstream) throw new Error(`no upstream ${name}`);
    return upstream;
  }

  /** Endpoint id serving through upstream `name` (`config-i`). */
  endpointId(name: string): string {
    const [config, index] = [name.slice(0, name.lastIndexOf('-')), Number(name.slice(name.lastIndexOf('-') + 1))];
    const view = this.engine.snapshot().tiers.flatMap((tier) => tier.configs).find((c) => c.name === config);
    const id = view?.endpoints[index]?.id;
    if (!id) throw new Error(`no endpoint ${name}`);
    return id;
  }

  endpointHealth(name: string) {
    const id = this.endpointId(name);
    return this.engine.snapshot().tiers.flatMap((t) => t.configs).flatMap((c) => c.endpoints).find((e) => e.id === id)?.health;
  }

  /** Sends a request through the proxy with the local token; returns status, headers and the whole body. */
  async send(options: { path?: string; method?: string; body?: unknown; stream?: boolean; headers?: Record<string, string>; token?: string | null; signal?: AbortSignal } = {}) {
    const body = options.body !== undefined ? JSON.stringify(options.body) : options.method === 'GET' || options.method === 'HEAD' ? undefined : JSON.stringify(messageBody(options.stream ?? false));
    const headers: Record<string, string> = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...options.headers };
    if (options.token !== null) headers['x-api-key'] = options.token ?? PROXY_TOKEN;
    const response = await request(`${this.proxy.url}${options.path ?? '/v1/messages'}`, {
      method: (options.method ?? 'POST') as 'POST',
      headers,
      body: body ?? null,
      dispatcher: this.client,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const bytes = Buffer.from(await response.body.arrayBuffer());
    return { status: response.statusCode, headers: response.headers, text: bytes.toString('utf8'), bytes };
  }

  async stop(): Promise<void> {
    await this.proxy.close();
    await this.client.close();
    await Promise.all([...this.upstreams.values()].map((upstream) => upstream.stop()));
  }
}

/** A small Messages API request body. */
export function messageBody(stream: boolean) {
  return { model: 'claude-sonnet-4-6', max_tokens: 64, stream, messages: [{ role: 'user', content: 'Say hi' }] };
}
