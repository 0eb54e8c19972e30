import type { AttemptOutcome } from '../core/outcome.js';
import type { Prober, ProbeTarget } from '../core/ports.js';
import { classifyResponse, describeTransportError } from './proxy/classify-response.js';
import { headerRecord, upstreamRequestHeaders } from './proxy/forward-headers.js';
import { UpstreamClients, UpstreamTargets } from './proxy/upstream-clients.js';
import { UpstreamRequest } from './proxy/upstream/upstream-client.js';
import { ProbeCall } from './probe-call.js';

/** A probe never waits longer than this for an answer, whatever the first-byte timeout says. */
export const MAX_PROBE_TIMEOUT_MS = 15_000;

/** Error bodies read to explain a rejected message probe; the rest is dropped. */
const MAX_ERROR_BODY_BYTES = 16 * 1024;
/** Longest upstream error message quoted in a probe's detail. */
const MAX_QUOTED_MESSAGE = 200;

const ANTHROPIC_VERSION = '2023-06-01';

/**
 * The fallback probe's body: rejected by any Messages API on three counts (an
 * unknown model, `max_tokens` 0, no messages), so it can never generate a token;
 * but servers check the key before the body, so it still tells a good key from a bad one.
 */
const INVALID_MESSAGE_BODY = '{"model":"qcc-health-probe","max_tokens":0,"messages":[]}';

export interface HttpProberOptions {
  /** Cap on one probe; default {@link MAX_PROBE_TIMEOUT_MS}. The policy's first-byte timeout applies when shorter. */
  maxTimeoutMs?: number;
  /** Epoch ms, for HTTP-date `retry-after` headers; default `Date.now`. */
  now?: () => number;
}

interface ProbeResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  latencyMs: number;
  /** Set when the caller asked for the (capped) body. */
  body: string | null;
}

/**
 * Active health checks over HTTP (architecture.md §4.5). The default probe is
 * an authenticated `GET /v1/models`: free, and it tells apart "reachable"
 * (2xx), "key rejected" (401/403), "rate limited" (429) and "down" (5xx,
 * 529, no connection, no answer in time). A config that opted in gets a
 * 1-token `POST /v1/messages` with its model instead, which also proves the
 * model answers. The key goes only into the auth header, never into an outcome.
 */
export class HttpProber implements Prober {
  /** The proxy's own upstream client: probes reach endpoints exactly as requests do. */
  private readonly upstreams = new UpstreamClients();
  private readonly targets = new UpstreamTargets();
  private readonly inFlight = new Set<ProbeCall>();
  private readonly maxTimeoutMs: number;
  private readonly now: () => number;
  private closed = false;

  constructor(options: HttpProberOptions = {}) {
    this.maxTimeoutMs = options.maxTimeoutMs ?? MAX_PROBE_TIMEOUT_MS;
    this.now = options.now ?? Date.now;
  }

  async probe(target: ProbeTarget): Promise<AttemptOutcome> {
    if (this.closed) return { kind: 'failure', detail: 'probe cancelled: the prober is closed' };
    return target.message_probe ? this.messageProbe(target, target.message_probe.model) : this.modelsProbe(target);
  }

  /** Aborts probes in flight (they resolve as failures) and closes the connection pools. */
  close(): Promise<void> {
    this.closed = true;
    for (const call of this.inFlight) call.cancel(new Error('the prober is closed'));
    this.upstreams.close();
    return Promise.resolve();
  }

  /**
   * `GET /v1/models`. Besides 401/403/429/5xx, any answer means reachable:
   * a 404/405 comes from a relay that lacks the route (then the fallback
   * checks the key), and another 4xx means a server parsed and refused this
   * GET after the places where gateways reject keys (401/403) — an answer
   * about our request, not about the endpoint's health.
   */
  private async modelsProbe(target: ProbeTarget): Promise<AttemptOutcome> {
    const response = await this.send(target, 'GET', '/v1/models', null, false);
    if ('outcome' in response) return response.outcome;
    if (response.status === 404 || response.status === 405) return this.fallbackProbe(target, response.latencyMs);
    return this.classify(response, () => ({ kind: 'success', latency_ms: response.latencyMs }));
  }

  /**
   * For a relay without `/v1/models`: a `POST /v1/messages` no server can
   * fulfil (see {@link INVALID_MESSAGE_BODY}). Its 400 proves the key got past
   * authentication; a 401/403 that it did not. `latencyMs` is the first
   * probe's, the honest round trip of a request that did no work.
   */
  private async fallbackProbe(target: ProbeTarget, latencyMs: number): Promise<AttemptOutcome> {
    const response = await this.send(target, 'POST', '/v1/messages', INVALID_MESSAGE_BODY, false);
    if ('outcome' in response) return response.outcome;
    return this.classify(response, () => ({ kind: 'success', latency_ms: latencyMs }));
  }

  /**
   * The opt-in probe: a real 1-token completion with the configured model.
   * A 4xx other than 401/403/429 is a failure here, not the client's problem:
   * QCC wrote the request, so it means the configured model (or the relay's
   * Messages route) is wrong, and the user must see why in `last_error`.
   */
  private async messageProbe(target: ProbeTarget, model: string): Promise<AttemptOutcome> {
    const body = JSON.stringify({ model, max_tokens: 1, messages: [{ role: 'user', content: 'ping' }] });
    const response = await this.send(target, 'POST', '/v1/messages', body, true);
    if ('outcome' in response) return response.outcome;
    return this.classify(response, () => {
      if (response.status < 400) return { kind: 'success', latency_ms: response.latencyMs };
      const message = errorMessageOf(response.body ?? '', target.endpoint.api_key);
      return { kind: 'failure', status: response.status, detail: `message probe rejected (${response.status})${message ? `: ${message}` : ''}` };
    });
  }

  /** 401/403, 429 and 5xx as the proxy classifies them; everything else as `otherwise` decides. */
  private classify(response: ProbeResponse, otherwise: () => AttemptOutcome): AttemptOutcome {
    const verdict = classifyResponse(response.status, response.headers, this.now());
    return verdict.action === 'next' ? verdict.outcome : otherwise();
  }

  /** One request within the probe timeout; a body is read only as far as an explanation needs. */
  private async send(target: ProbeTarget, method: string, path: string, body: string | null, readBody: boolean): Promise<ProbeResponse | { outcome: AttemptOutcome }> {
    const { endpoint, policy } = target;
    const timeoutMs = Math.min(policy.first_byte_timeout_ms, this.maxTimeoutMs);
    const { origin, path: fullPath } = this.targets.resolve(endpoint.base_url, path);
    const headers = ['anthropic-version', ANTHROPIC_VERSION, 'accept', 'application/json', 'user-agent', 'qcc-health-probe'];
    if (body !== null) headers.push('content-type', 'application/json');
    const call = new ProbeCall(MAX_ERROR_BODY_BYTES);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      call.cancel(new Error('probe timeout'));
    }, timeoutMs);
    timer.unref();
    this.inFlight.add(call);
    const started = performance.now();
    try {
      const request = new UpstreamRequest(method, fullPath, upstreamRequestHeaders(headers, endpoint.api_key, endpoint.auth_style), body === null ? null : Buffer.from(body), timeoutMs, timeoutMs);
      this.upstreams.for(policy).dispatch(origin, request, call);
      const reply = await call.reply;
      const keep = readBody && reply.status >= 400 && !isClassifiedElsewhere(reply.status);
      return { status: reply.status, headers: headerRecord(reply.headers), latencyMs: reply.headAt - started, body: keep ? reply.body.toString('utf8') : null };
    } catch (error) {
      if (this.closed) return { outcome: { kind: 'failure', detail: 'probe cancelled: the prober is closed' } };
      if (timedOut || isTimeout(error)) return { outcome: { kind: 'failure', detail: `no answer within the probe timeout (${timeoutMs} ms)` } };
      return { outcome: { kind: 'failure', detail: redact(describeTransportError(error), endpoint.api_key) } };
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(call);
    }
  }
}

function isClassifiedElsewhere(status: number): boolean {
  return status === 401 || status === 403 || status === 429 || status >= 500;
}

function isTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'QCC_HEADERS_TIMEOUT' || code === 'QCC_BODY_TIMEOUT';
}

/** The `error.message` of an Anthropic-format error body (or the start of any other body), key removed, kept short. */
function errorMessageOf(text: string, apiKey: string): string {
  let message = text.trim();
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown }; message?: unknown };
    const candidate = parsed.error?.message ?? parsed.message;
    if (typeof candidate === 'string') message = candidate;
  } catch {
    // Not JSON: quote the text itself.
  }
  message = redact(message.replace(/\s+/g, ' ').trim(), apiKey);
  return message.length > MAX_QUOTED_MESSAGE ? `${message.slice(0, MAX_QUOTED_MESSAGE - 1)}…` : message;
}

/** Upstream text may echo the key (some relays do); it must never reach an outcome. */
function redact(text: string, apiKey: string): string {
  return apiKey.length > 0 ? text.split(apiKey).join('[key]') : text;
}
