import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { FailoverPolicy } from '../../../../src-shared/model/policy.js';
import type { RequestPlan } from '../../core/engine.js';
import type { AttemptOutcome } from '../../core/outcome.js';
import type { Candidate } from '../../core/request-planner.js';
import { anthropicErrorBody, anthropicErrorEvent } from './anthropic-error.js';
import { classifyResponse, describeTransportError } from './classify-response.js';
import { clientResponseHeaders, presentedToken, upstreamRequestHeaders } from './forward-headers.js';
import { StreamTail, inspectFirstEvent, isEventStream } from './sse-inspector.js';
import { listenOn, readCapped } from '../http-util.js';
import { UpstreamAgents, UpstreamTargets } from './upstream-agents.js';

/** Anthropic's request size limit; bigger bodies get its 413. */
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

/**
 * A non-streaming response's headers arrive only when the whole message is
 * ready, which can take minutes; the Anthropic SDK waits up to 10 minutes.
 * Failing over earlier would pay for the same answer twice.
 */
const NON_STREAMING_HEADERS_TIMEOUT_MS = 600_000;

/** Error bodies held for "return the last upstream error as received"; more is cut. */
const MAX_HELD_ERROR_BYTES = 64 * 1024;

/** What the proxy needs from the engine. */
export interface ProxyEngine {
  plan(): RequestPlan;
  readonly policy: FailoverPolicy;
}

/** One line of the request log: no keys, no bodies. */
export interface ProxiedRequestLog {
  method: string;
  path: string;
  status: number;
  config: string | null;
  endpoint_id: string | null;
  attempts: number;
  latency_ms: number;
  streamed: boolean;
  /** Why the request did not end well, if it did not. */
  error: string | null;
}

export interface ProxyServerOptions {
  engine: ProxyEngine;
  /** The local access token clients must present. */
  token: string;
  /** Called once per finished request. Must not throw. */
  onRequest?: (entry: ProxiedRequestLog) => void;
  maxRequestBytes?: number;
}

interface HeldResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** Per-request state shared by the forwarding steps. */
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  body: Buffer;
  streamRequested: boolean;
  abort: AbortController;
  attempts: number;
  lastFailure: HeldResponse | null;
  lastDetail: string | null;
  log: ProxiedRequestLog;
}

type AttemptResult = 'committed' | 'failed' | 'aborted';

/**
 * The local proxy Claude Code talks to. Each request walks the engine's
 * candidates until one commits (architecture.md §4.3): authenticate → read
 * body → plan → attempt → commit → relay. Nothing reaches the client before
 * commit; after it, bytes flow as they arrive.
 */
export class ProxyServer {
  private readonly server: Server;
  private readonly agents = new UpstreamAgents();
  private readonly targets = new UpstreamTargets();
  private readonly token: Buffer;
  private readonly maxRequestBytes: number;

  constructor(private readonly options: ProxyServerOptions) {
    this.token = Buffer.from(options.token);
    this.maxRequestBytes = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
    this.server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
      this.handle(req, res).catch((error: unknown) => this.failUnexpectedly(res, error));
    });
  }

  /** Listens; resolves with the bound address (port 0 picks a free one). */
  listen(port: number, host = '127.0.0.1'): Promise<AddressInfo> {
    return listenOn(this.server, port, host);
  }

  get url(): string {
    const address = this.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  /** Client connections currently open (for status and leak checks). */
  connectionCount(): Promise<number> {
    return new Promise((resolve, reject) => this.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
  }

  /** Stops accepting, ends open connections, closes upstream pools. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    await this.agents.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const log: ProxiedRequestLog = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0] as string,
      status: 0,
      config: null,
      endpoint_id: null,
      attempts: 0,
      latency_ms: 0,
      streamed: false,
      error: null,
    };
    try {
      if (!this.authorized(req)) {
        log.error = 'missing or wrong local proxy token';
        this.refuse(req, res, 401, 'QCC: missing or invalid local proxy token. Use the token from `qcc proxy token` as ANTHROPIC_API_KEY.');
        return;
      }
      const body = await this.readBody(req, res);
      if (body === null) {
        log.error = 'request body too large';
        return;
      }
      const exchange: Exchange = {
        req,
        res,
        body,
        streamRequested: asksForStream(body),
        abort: new AbortController(),
        attempts: 0,
        lastFailure: null,
        lastDetail: null,
        log,
      };
      res.on('close', () => {
        if (!res.writableFinished) exchange.abort.abort();
      });
      await this.forward(exchange);
    } finally {
      log.status = res.statusCode;
      log.latency_ms = Math.round((performance.now() - started) * 100) / 100;
      this.options.onRequest?.(log);
    }
  }

  private async forward(exchange: Exchange): Promise<void> {
    const plan = this.options.engine.plan();
    if (plan.candidates.length === 0) {
      exchange.log.error = 'no config to serve from';
      this.sendError(exchange.res, 503, 'QCC has no enabled config with an endpoint to serve from. Add one with `qcc add` or in the dashboard.');
      return;
    }
    for (const candidate of plan.candidates) {
      exchange.attempts += 1;
      const result = await this.attempt(exchange, candidate, plan);
      if (result !== 'failed') return;
    }
    this.sendLastFailure(exchange);
  }

  /** One upstream attempt: request, classify, apply the commit rule, relay. */
  private async attempt(exchange: Exchange, candidate: Candidate, plan: RequestPlan): Promise<AttemptResult> {
    const { req, abort } = exchange;
    const { endpoint } = candidate;
    const policy = this.options.engine.policy;
    const target = this.targets.resolve(endpoint.base_url, req.url ?? '/');
    const report = (outcome: AttemptOutcome) => plan.report(candidate, outcome);
    const started = performance.now();

    let response: Dispatcher.ResponseData;
    try {
      response = await this.agents.for(policy).request({
        origin: target.origin,
        path: target.path,
        method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
        headers: upstreamRequestHeaders(req.rawHeaders, endpoint.api_key, endpoint.auth_style),
        body: exchange.body.length > 0 ? exchange.body : null,
        signal: abort.signal,
        headersTimeout: exchange.streamRequested ? policy.first_byte_timeout_ms : Math.max(policy.first_byte_timeout_ms, NON_STREAMING_HEADERS_TIMEOUT_MS),
        bodyTimeout: policy.stream_idle_timeout_ms,
      });
    } catch (error) {
      if (abort.signal.aborted) return this.clientGone(report);
      const detail = describeTransportError(error);
      report({ kind: 'failure', detail });
      exchange.lastDetail = detail;
      return 'failed';
    }
    const latency = performance.now() - started;
    const verdict = classifyResponse(response.statusCode, response.headers, Date.now());

    if (verdict.action === 'next') {
      report(verdict.outcome);
      exchange.lastFailure = { status: response.statusCode, headers: clientResponseHeaders(response.headers), body: await readCapped(response.body, MAX_HELD_ERROR_BYTES) };
      exchange.lastDetail = `HTTP ${response.statusCode}`;
      return 'failed';
    }

    const stream = isEventStream(response.headers['content-type']) && response.headers['content-encoding'] === undefined;
    let held: Buffer[] = [];
    if (verdict.action === 'commit' && stream) {
      const first = await readFirstEvent(response.body, policy.first_byte_timeout_ms - latency, abort.signal);
      if (first.kind === 'aborted') return this.clientGone(report);
      if (first.kind !== 'event') {
        report({ kind: 'failure', detail: first.detail });
        exchange.lastFailure = { status: response.statusCode, headers: clientResponseHeaders(response.headers), body: Buffer.concat(first.chunks) };
        exchange.lastDetail = first.detail;
        response.body.destroy();
        return 'failed';
      }
      held = first.chunks;
    }

    report(verdict.action === 'commit' ? { kind: 'success', latency_ms: latency } : { kind: 'neutral' });
    exchange.log.config = candidate.config;
    exchange.log.endpoint_id = endpoint.id;
    exchange.log.attempts = exchange.attempts;
    exchange.log.streamed = stream;
    exchange.res.writeHead(response.statusCode, {
      ...clientResponseHeaders(response.headers),
      'x-qcc-config': candidate.config,
      'x-qcc-endpoint': endpoint.id,
      'x-qcc-attempts': String(exchange.attempts),
    });
    await relay(exchange, response.body, held, stream, report);
    return 'committed';
  }

  private clientGone(report: (outcome: AttemptOutcome) => void): AttemptResult {
    report({ kind: 'neutral' });
    return 'aborted';
  }

  /** Every candidate failed: the client gets the last upstream error as received, or one of ours. */
  private sendLastFailure(exchange: Exchange): void {
    const { res, lastFailure, attempts } = exchange;
    exchange.log.attempts = attempts;
    exchange.log.error = `all ${attempts} attempts failed: ${exchange.lastDetail ?? 'unknown error'}`;
    if (res.destroyed) return;
    if (lastFailure) {
      const headers = { ...lastFailure.headers, 'content-length': String(lastFailure.body.length), 'x-qcc-attempts': String(attempts) };
      res.writeHead(lastFailure.status, headers);
      res.end(lastFailure.body);
      return;
    }
    this.sendError(res, 502, `QCC: every upstream failed (${attempts} attempts); last error: ${exchange.lastDetail ?? 'unknown'}`, attempts);
  }

  private authorized(req: IncomingMessage): boolean {
    const presented = presentedToken(req.headers);
    if (presented === undefined) return false;
    const candidate = Buffer.from(presented);
    return candidate.length === this.token.length && timingSafeEqual(candidate, this.token);
  }

  /** Reads the whole body for replay; answers 413 and returns null past the cap. */
  private async readBody(req: IncomingMessage, res: ServerResponse): Promise<Buffer | null> {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.maxRequestBytes) {
      this.refuse(req, res, 413, 'Request exceeds the maximum allowed number of bytes.');
      return null;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > this.maxRequestBytes) {
        this.refuse(req, res, 413, 'Request exceeds the maximum allowed number of bytes.');
        return null;
      }
      chunks.push(chunk);
    }
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
  }

  /** Answers without reading the rest of the request, then drops the connection so nothing more is read. */
  private refuse(req: IncomingMessage, res: ServerResponse, status: number, message: string): void {
    res.setHeader('connection', 'close');
    this.sendError(res, status, message);
    res.once('finish', () => req.socket.destroySoon());
  }

  private sendError(res: ServerResponse, status: number, message: string, attempts?: number): void {
    if (res.headersSent || res.destroyed) return;
    const body = anthropicErrorBody(status, message);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...(attempts !== undefined ? { 'x-qcc-attempts': String(attempts) } : {}),
    });
    res.end(body);
  }

  private failUnexpectedly(res: ServerResponse, error: unknown): void {
    const message = `QCC internal error: ${error instanceof Error ? error.message : String(error)}`;
    if (!res.headersSent) this.sendError(res, 500, message);
    else res.destroy();
  }
}

type FirstEventResult = { kind: 'event'; chunks: Buffer[] } | { kind: 'failed'; detail: string; chunks: Buffer[] } | { kind: 'aborted' };

/**
 * Reads a stream until its first whole SSE event, within what is left of the
 * first-byte timeout. An `error` event, an empty stream, a timeout or a
 * broken connection before it all mean "try the next candidate".
 */
function readFirstEvent(body: Readable, timeoutMs: number, signal: AbortSignal): Promise<FirstEventResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let text = '';
    const done = (result: FirstEventResult) => {
      clearTimeout(timer);
      body.off('data', onData).off('end', onEnd).off('error', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      text += chunk.toString('latin1');
      const first = inspectFirstEvent(text);
      if (!first.complete) return;
      body.pause();
      done(first.isError ? { kind: 'failed', detail: 'stream began with an error event', chunks } : { kind: 'event', chunks });
    };
    const onEnd = () => done({ kind: 'failed', detail: chunks.length === 0 ? 'empty stream' : 'stream ended before its first event', chunks });
    const onError = (error: unknown) => done(signal.aborted ? { kind: 'aborted' } : { kind: 'failed', detail: describeTransportError(error), chunks });
    const timer = setTimeout(() => done({ kind: 'failed', detail: 'no stream event within the first-byte timeout', chunks }), Math.max(timeoutMs, 0));
    timer.unref();
    body.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

/**
 * Relays a committed response with backpressure. A stream that breaks or ends
 * without `message_stop` gets a well-formed `event: error` and counts as a
 * failure; the client going away aborts the upstream and counts as nothing.
 */
function relay(exchange: Exchange, body: Readable, held: Buffer[], stream: boolean, report: (outcome: AttemptOutcome) => void): Promise<void> {
  const { res, abort } = exchange;
  return new Promise((resolve) => {
    const tail = stream ? new StreamTail() : null;
    const finish = () => {
      res.off('drain', onDrain);
      resolve();
    };
    const onDrain = () => body.resume();
    const fail = (detail: string) => {
      report({ kind: 'failure', detail });
      exchange.log.error = detail;
      if (stream && !res.destroyed) res.end(anthropicErrorEvent(`QCC: upstream stream failed (${detail})`));
      else res.destroy();
    };
    for (const chunk of held) {
      tail?.push(chunk);
      res.write(chunk);
    }
    res.on('drain', onDrain);
    body.on('data', (chunk: Buffer) => {
      tail?.push(chunk);
      if (!res.write(chunk)) body.pause();
    });
    body.once('end', () => {
      if (tail && !tail.endedWithMessageStop()) fail('stream ended without message_stop');
      else res.end();
      finish();
    });
    body.once('error', (error: unknown) => {
      if (!abort.signal.aborted) fail(describeTransportError(error));
      finish();
    });
    if (res.writableNeedDrain) body.pause();
    else body.resume();
  });
}

const STREAM_KEY = Buffer.from('"stream"');

/**
 * Whether a Messages request body asks for `"stream": true`, without parsing
 * or decoding it (Claude Code's bodies run to tens of kilobytes): find the
 * key's bytes, then look at what follows the colon.
 */
export function asksForStream(body: Buffer): boolean {
  for (let at = body.indexOf(STREAM_KEY); at !== -1; at = body.indexOf(STREAM_KEY, at + 1)) {
    let i = at + STREAM_KEY.length;
    while (i < body.length && (body[i] === 0x20 || body[i] === 0x09 || body[i] === 0x0a || body[i] === 0x0d)) i++;
    if (body[i] !== 0x3a) continue; // not a key: "stream" inside some text
    i++;
    while (i < body.length && (body[i] === 0x20 || body[i] === 0x09 || body[i] === 0x0a || body[i] === 0x0d)) i++;
    if (body.toString('latin1', i, i + 4) === 'true') return true;
  }
  return false;
}

