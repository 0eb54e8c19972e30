import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendAnthropicError } from './anthropic-error.js';
import { presentedToken } from './forward-headers.js';
import { listenOn } from '../http-util.js';
import { Exchange, type ExchangeContext, type ProxiedRequestLog, type ProxyEngine } from './proxy-exchange.js';
import { UpstreamAgents, UpstreamTargets } from './upstream-agents.js';

export { asksForStream, type ProxiedRequestLog, type ProxyEngine } from './proxy-exchange.js';

/** Anthropic's request size limit; bigger bodies get its 413. */
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

/** What a paused proxy tells Claude Code; `x-should-retry: false` keeps the SDK from retrying in a loop. */
export const PAUSED_MESSAGE = 'QCC is paused: requests are not being forwarded. Resume it from the QCC tray menu.';
const PAUSED_HEADERS = ['x-should-retry', 'false'];

export interface ProxyServerOptions {
  engine: ProxyEngine;
  /** The local access token clients must present. */
  token: string;
  /** Called once per finished request. Must not throw. */
  onRequest?: (entry: ProxiedRequestLog) => void;
  maxRequestBytes?: number;
}

/**
 * The local proxy Claude Code talks to. Each request walks the engine's
 * candidates until one commits (architecture.md §4.3): authenticate → read
 * body → plan → attempt → commit → relay. Nothing reaches the client before
 * commit; after it, bytes flow as they arrive. The steps after the body live
 * in `Exchange` and `UpstreamAttempt`.
 */
export class ProxyServer {
  private readonly server: Server;
  private readonly agents = new UpstreamAgents();
  private readonly context: ExchangeContext;
  private readonly token: Buffer;
  private readonly maxRequestBytes: number;
  private isPaused = false;

  constructor(options: ProxyServerOptions) {
    this.token = Buffer.from(options.token);
    this.maxRequestBytes = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
    this.context = { engine: options.engine, agents: this.agents, targets: new UpstreamTargets(), onRequest: options.onRequest };
    this.server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => this.handle(req, res));
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

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const log: ProxiedRequestLog = {
      method: req.method ?? 'GET',
      path: query === -1 ? url : url.slice(0, query),
      status: 0,
      config: null,
      endpoint_id: null,
      attempts: 0,
      latency_ms: 0,
      streamed: false,
      error: null,
    };
    const exchange = new Exchange(this.context, req, res, log, started);
    try {
      if (!this.authorized(req)) {
        log.error = 'missing or wrong local proxy token';
        refuse(req, res, 401, 'QCC: missing or invalid local proxy token. Use the token from `qcc proxy token` as ANTHROPIC_API_KEY.');
        return exchange.finish();
      }
      if (this.isPaused) {
        // Answered before the body is read: node:http discards the rest and keeps the connection.
        log.error = 'QCC is paused';
        sendAnthropicError(res, 503, PAUSED_MESSAGE, PAUSED_HEADERS);
        return exchange.finish();
      }
      if (Number(req.headers['content-length'] ?? 0) > this.maxRequestBytes) return this.tooLarge(exchange);
      res.on('close', () => {
        if (!res.writableFinished) exchange.clientClosed();
      });
      this.readBody(exchange);
    } catch (error) {
      exchange.crashed(error);
    }
  }

  private authorized(req: IncomingMessage): boolean {
    const presented = presentedToken(req.headers);
    if (presented === undefined) return false;
    const candidate = Buffer.from(presented);
    return candidate.length === this.token.length && timingSafeEqual(candidate, this.token);
  }

  /** Holds the whole body for replay, then starts forwarding; past the cap, answers 413 instead. */
  private readBody(exchange: Exchange): void {
    const { req } = exchange;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > this.maxRequestBytes) return; // refused already; the rest is dropped with the connection
      size += chunk.length;
      if (size > this.maxRequestBytes) return this.tooLarge(exchange);
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > this.maxRequestBytes) return;
      try {
        exchange.start(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
      } catch (error) {
        exchange.crashed(error);
      }
    });
  }

  private tooLarge(exchange: Exchange): void {
    exchange.log.error = 'request body too large';
    refuse(exchange.req, exchange.res, 413, 'Request exceeds the maximum allowed number of bytes.');
    exchange.finish();
  }
}

/** Answers without reading the rest of the request, then drops the connection so nothing more is read. */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, message: string): void {
  sendAnthropicError(res, status, message, ['connection', 'close']);
  res.once('finish', () => req.socket.destroySoon());
}
