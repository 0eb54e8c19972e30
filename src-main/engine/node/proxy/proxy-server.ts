import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { CLOSE_CONNECTION, sendAnthropicError } from './anthropic-error.js';
import { presentedToken } from './forward-headers.js';
import { Http1Server } from './http1/http1-server.js';
import type { Http1Request } from './http1/http1-request.js';
import type { Http1Response } from './http1/http1-response.js';
import type { RequestError, RequestHead } from './http1/request-head.js';
import { Exchange, TOO_LARGE_ERROR, TOO_LARGE_MESSAGE, type ExchangeContext, type ProxiedRequestLog, type ProxyEngine } from './proxy-exchange.js';
import { UpstreamClients, UpstreamTargets } from './upstream-clients.js';

export { asksForStream, type ProxiedRequestLog, type ProxyEngine } from './proxy-exchange.js';

/** Anthropic's request size limit; bigger bodies get its 413. */
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

/** What a paused proxy tells Claude Code; `x-should-retry: false` keeps the SDK from retrying in a loop. */
export const PAUSED_MESSAGE = 'QCC is paused: requests are not being forwarded. Resume it from the QCC tray menu.';
const PAUSED_HEADERS = ['x-should-retry', 'false'];
const UNAUTHORIZED_MESSAGE = 'QCC: missing or invalid local proxy token. Use the token from `qcc proxy token` as ANTHROPIC_API_KEY.';

export interface ProxyServerOptions {
  engine: ProxyEngine;
  /** The local access token clients must present. */
  token: string;
  /** Called once per finished request. Must not throw. */
  onRequest?: (entry: ProxiedRequestLog) => void;
  maxRequestBytes?: number;
  /** Monotonic ms for the server's connection deadlines (tests inject one and call `sweepConnections`). */
  now?: () => number;
  /** Idle time allowed between requests on a kept-alive connection. */
  keepAliveTimeoutMs?: number;
  /** Time allowed for a request head to arrive once it has begun. */
  headersTimeoutMs?: number;
  /** Extra TLS options for HTTPS upstreams, such as a private CA (tests trust their own certificate this way). */
  upstreamTls?: ConnectionOptions;
}

/**
 * The local proxy Claude Code talks to. Each request walks the engine's
 * candidates until one commits (architecture.md §4.3): authenticate → read
 * body → plan → attempt → commit → relay. Nothing reaches the client before
 * commit; after it, bytes flow as they arrive. The steps after the body live
 * in `Exchange` and `UpstreamAttempt`.
 */
export class ProxyServer {
  private readonly server: Http1Server;
  private readonly upstreams: UpstreamClients;
  private readonly context: ExchangeContext;
  private readonly token: Buffer;
  private readonly maxRequestBytes: number;
  private isPaused = false;

  constructor(options: ProxyServerOptions) {
    this.token = Buffer.from(options.token);
    this.maxRequestBytes = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
    this.upstreams = new UpstreamClients(options.upstreamTls);
    this.context = { engine: options.engine, upstreams: this.upstreams, targets: new UpstreamTargets(), onRequest: options.onRequest };
    this.server = new Http1Server({
      handler: (req, res) => this.handle(req, res),
      refuse: (res, error, head) => this.refused(res, error, head),
      maxBodyBytes: this.maxRequestBytes,
      now: options.now,
      keepAliveTimeoutMs: options.keepAliveTimeoutMs,
      headersTimeoutMs: options.headersTimeoutMs,
    });
  }

  /** Listens; resolves with the bound address (port 0 picks a free one). */
  listen(port: number, host = '127.0.0.1'): Promise<AddressInfo> {
    return this.server.listen(port, host);
  }

  get url(): string {
    const address = this.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  /** Whether new requests are refused (503) instead of forwarded. */
  get paused(): boolean {
    return this.isPaused;
  }

  /** Stops forwarding: new requests get a 503 at once, touching no upstream; streams in flight continue. */
  pause(): void {
    this.isPaused = true;
  }

  /** Forwards new requests again. */
  resume(): void {
    this.isPaused = false;
  }

  /** Client connections currently open (for status and leak checks). */
  connectionCount(): Promise<number> {
    return Promise.resolve(this.server.connectionCount);
  }

  /** Applies connection deadlines now (the server also does so every second). */
  sweepConnections(): void {
    this.server.sweep();
  }

  /** Stops accepting, ends open connections, closes upstream pools. */
  async close(): Promise<void> {
    await this.server.close();
    this.upstreams.close();
  }

  private handle(req: Http1Request, res: Http1Response): void {
    const started = performance.now();
    const log = requestLog(req.method, req.url);
    const exchange = new Exchange(this.context, req, res, log, started);
    try {
      if (!this.authorized(req)) return exchange.refuse(401, 'missing or wrong local proxy token', UNAUTHORIZED_MESSAGE);
      if (this.isPaused) {
        // Answered before the body is read: the connection reads and drops the rest, and stays open.
        log.error = 'QCC is paused';
        sendAnthropicError(res, 503, PAUSED_MESSAGE, PAUSED_HEADERS);
        return exchange.finish();
      }
      if ((req.contentLength ?? 0) > this.maxRequestBytes) return exchange.refuse(413, TOO_LARGE_ERROR, TOO_LARGE_MESSAGE);
      res.onClose = () => exchange.clientClosed();
      req.readBody(exchange);
    } catch (error) {
      exchange.crashed(error);
    }
  }

  private authorized(req: Http1Request): boolean {
    const presented = presentedToken(req);
    if (presented === undefined) return false;
    const candidate = Buffer.from(presented);
    return candidate.length === this.token.length && timingSafeEqual(candidate, this.token);
  }

  /** A request the HTTP server refused before it became an exchange: answered, and logged like any other. */
  private refused(res: Http1Response, error: RequestError, head: RequestHead | null): void {
    sendAnthropicError(res, error.status, error.message, CLOSE_CONNECTION);
    const line = head ?? error.requestLine;
    const log = requestLog(line?.method ?? '', line?.target ?? '');
    log.status = error.status;
    log.error = error.message;
    this.context.onRequest?.(log);
  }
}

/** A request's log line before anything happened to it: method and path (the query is left out). */
function requestLog(method: string, target: string): ProxiedRequestLog {
  const query = target.indexOf('?');
  return {
    method,
    path: query === -1 ? target : target.slice(0, query),
    status: 0,
    config: null,
    endpoint_id: null,
    attempts: 0,
    latency_ms: 0,
    streamed: false,
    error: null,
  };
}
