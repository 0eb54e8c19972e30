import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { errorBody } from './anthropic-errors.js';
import { CannedReply } from './canned-reply.js';
import { assertValidFault, isMessageFault, type Fault, type MessageFault, type RequestFault } from './fault.js';
import { formatSseEvent } from './sse.js';

export type { Fault } from './fault.js';

/** How to start a {@link FakeAnthropic}. */
export interface FakeAnthropicOptions {
  /** Interface to bind; default `127.0.0.1`. */
  host?: string;
  /** Port to bind; default 0 (ephemeral). */
  port?: number;
  /** Appears in every reply (`Hello from NAME.`) so a test can tell which upstream served; default `fake`. */
  name?: string;
  /** When set, API routes need `x-api-key: KEY` or `authorization: Bearer KEY`; default null (no check). */
  apiKey?: string | null;
  /** `text_delta` events per streamed message; default 8. */
  deltas?: number;
  /** Pause between streamed events; default 0 (the whole stream in one write). */
  chunkDelayMs?: number;
  /** Keep every request in `received`; default true. Turn off for benchmarks. */
  record?: boolean;
  /** Serve HTTPS with this certificate and key, as the real API does; default plain HTTP. */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

/** One request as the fake saw it. */
export interface RecordedRequest {
  method: string;
  /** Path and query exactly as received. */
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  /** The body bytes as received; empty until the body has fully arrived. */
  body: Buffer;
  /** The client went away before the response finished (closes made by the fake itself do not count). */
  aborted: boolean;
}

type Route = 'hello' | 'messages' | 'count_tokens' | 'models' | 'not_found';

interface MessagesRequest {
  model: string;
  stream: boolean;
}

const EMPTY = Buffer.alloc(0);
const RATE_LIMIT = 4000;

// A realistic first page of GET /v1/models; rendered once since it never changes.
const MODELS = [
  { id: 'claude-sonnet-4-5-20250929', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' },
  { id: 'claude-haiku-4-5-20251001', display_name: 'Claude Haiku 4.5', created_at: '2025-10-01T00:00:00Z' },
  { id: 'claude-opus-4-1-20250805', display_name: 'Claude Opus 4.1', created_at: '2025-08-05T00:00:00Z' },
  { id: 'claude-sonnet-4-20250514', display_name: 'Claude Sonnet 4', created_at: '2025-05-22T00:00:00Z' },
  { id: 'claude-3-5-haiku-20241022', display_name: 'Claude Haiku 3.5', created_at: '2024-10-22T00:00:00Z' },
];
const MODELS_PAGE = Buffer.from(
  JSON.stringify({
    data: MODELS.map((model) => ({ type: 'model', ...model })),
    has_more: false,
    first_id: MODELS[0]?.id ?? null,
    last_id: MODELS.at(-1)?.id ?? null,
  }),
);
const HELLO = Buffer.from('{"message":"hello"}');
const SSE_OVERLOADED = Buffer.from(formatSseEvent('error', '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'));

/** Ids shaped like Anthropic's (`req_01…`, `msg_01…`): a random per-server stem plus a counter is unique and costs nothing per request. */
function idStem(): string {
  return randomBytes(9).toString('base64url').replace(/[-_]/g, 'x');
}

/**
 * A fake Anthropic Messages API on a real loopback socket, for tests, e2e,
 * benchmarks and `qcc demo`. Faults switch at run time (`setFault`) to
 * reproduce every upstream outcome the failover engine must handle.
 */
export class FakeAnthropic {
  /** Base URL, e.g. `http://127.0.0.1:54321` (`https:` with the `tls` option). */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly name: string;
  /** Every request seen while `record` is on, in arrival order. */
  readonly received: RecordedRequest[] = [];
  /** Whether to record requests into `received`; turn off for benchmarks. */
  record: boolean;

  private readonly server: Server | HttpsServer;
  private readonly apiKey: string | null;
  private readonly chunkDelayMs: number;
  private readonly reply: CannedReply;
  private readonly sockets = new Set<Socket>();
  // Sockets the fake closed on purpose (refuse, reset, stop), so their requests are not recorded as client aborts.
  private readonly killed = new WeakSet<Socket>();
  private readonly stem = idStem();
  private idCounter = 0;
  private requests = 0;
  private fault: Fault | undefined;
  private faultRemaining = Infinity;
  private stopping: Promise<void> | undefined;

  private constructor(server: Server | HttpsServer, host: string, port: number, options: FakeAnthropicOptions) {
    this.server = server;
    this.host = host;
    this.port = port;
    this.url = `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    this.name = options.name ?? 'fake';
    this.apiKey = options.apiKey ?? null;
    this.chunkDelayMs = options.chunkDelayMs ?? 0;
    this.record = options.record ?? true;
    this.reply = new CannedReply(this.name, options.deltas ?? 8);
  }

  /** Binds a new fake and resolves once it accepts connections. */
  static async start(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
    const deltas = options.deltas ?? 8;
    if (!Number.isInteger(deltas) || deltas < 1) throw new RangeError(`deltas must be an integer >= 1, got ${deltas}`);
    const chunkDelayMs = options.chunkDelayMs ?? 0;
    if (!Number.isFinite(chunkDelayMs) || chunkDelayMs < 0) throw new RangeError(`chunkDelayMs must be >= 0, got ${chunkDelayMs}`);
    const host = options.host ?? '127.0.0.1';
    const server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }) : createServer();
    await listen(server, options.port ?? 0, host);
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('fake-anthropic: server has no TCP address');
    const fake = new FakeAnthropic(server, host, address.port, options);
    // Over TLS the request's socket is the TLS one: track that, so faults and leak checks see the same sockets.
    if (options.tls) server.on('secureConnection', (socket: Socket) => fake.track(socket));
    else server.on('connection', (socket: Socket) => fake.track(socket));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => fake.onRequest(req, res));
    return fake;
  }

  /** The text every message reply carries (contains `name`). */
  get replyText(): string {
    return this.reply.text;
  }

  /** Requests received so far, counted even when recording is off (benchmarks can check traffic really arrived). */
  get requestCount(): number {
    return this.requests;
  }

  /** Forgets recorded requests. */
  clearReceived(): void {
    this.received.length = 0;
  }

  /** Connections currently open to this server, for leak checks. */
  openSockets(): number {
    return this.sockets.size;
  }

  /**
   * Misbehave from now on: for the next `times` requests the fault applies to
   * (default: until `clearFault`), then back to normal. `refuse` ignores
   * `times`. Resolves once the fault is in effect; only leaving `refuse` is
   * asynchronous (it listens again on the same port).
   */
  setFault(fault: Fault, options: { times?: number } = {}): Promise<void> {
    assertValidFault(fault);
    const times = options.times ?? Infinity;
    if (times !== Infinity && (!Number.isInteger(times) || times < 1)) throw new RangeError(`times must be an integer >= 1, got ${times}`);
    const wasRefusing = this.fault?.kind === 'refuse';
    this.fault = fault;
    this.faultRemaining = fault.kind === 'refuse' ? Infinity : times;
    if (this.stopping !== undefined) return Promise.resolve();
    if (fault.kind === 'refuse') {
      if (!wasRefusing) this.refuse();
      return Promise.resolve();
    }
    return wasRefusing ? listen(this.server, this.port, this.host) : Promise.resolve();
  }

  /** Back to normal; after `refuse`, resolves once the same port accepts connections again. */
  clearFault(): Promise<void> {
    const wasRefusing = this.fault?.kind === 'refuse';
    this.fault = undefined;
    this.faultRemaining = Infinity;
    return wasRefusing && this.stopping === undefined ? listen(this.server, this.port, this.host) : Promise.resolve();
  }

  /** Closes the server and every connection (hanging ones included); pending delays end with their connections, so no handles remain. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const socketsClosed = [...this.sockets].map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())));
    this.killAll();
    await Promise.all([serverClosed, ...socketsClosed]);
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private refuse(): void {
    // close() stops accepting at once (the fd closes synchronously); its callback would wait for the connections we kill next.
    this.server.close();
    this.killAll();
  }

  private killAll(): void {
    for (const socket of this.sockets) {
      this.killed.add(socket);
      socket.destroy();
    }
  }

  /** Takes the current fault for this request if it applies, counting it against `times`. */
  private takeFault<F extends Fault>(applies: (fault: Fault) => fault is F): F | undefined {
    const fault = this.fault;
    if (fault === undefined || !applies(fault)) return undefined;
    if (--this.faultRemaining <= 0) this.fault = undefined;
    return fault;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.requests++;
    const socket = req.socket;
    let recorded: RecordedRequest | undefined;
    if (this.record) {
      const entry: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body: EMPTY, aborted: false };
      recorded = entry;
      this.received.push(entry);
      res.once('close', () => {
        if (!res.writableFinished && !this.killed.has(socket)) entry.aborted = true;
      });
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => {
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      if (recorded !== undefined) recorded.body = body;
      this.handle(req, res, body).catch((error: unknown) => this.crash(res, error));
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const requestId = this.nextId('req_01');
    const requestFault = this.takeFault(isRequestFault);
    if (requestFault !== undefined) {
      const carryOn = await this.applyRequestFault(requestFault, res, requestId);
      if (!carryOn) return;
    }

    const route = routeOf(req.method ?? '', req.url ?? '');
    if (route === 'not_found') return this.sendError(res, 404, requestId, `Not found: ${req.method} ${req.url}`);
    if (route === 'hello') return this.sendJson(res, 200, requestId, HELLO);
    const authError = this.checkApiKey(req);
    if (authError !== undefined) return this.sendError(res, 401, requestId, authError);
    if (route === 'models') return this.sendJson(res, 200, requestId, MODELS_PAGE);

    const parsed = parseMessagesBody(body, route === 'count_tokens');
    if (typeof parsed === 'string') return this.sendError(res, 400, requestId, parsed);
    const inputTokens = Math.max(1, Math.ceil(body.length / 4));
    if (route === 'count_tokens') return this.sendJson(res, 200, requestId, `{"input_tokens":${inputTokens}}`);

    const fault = this.takeFault(isMessageFault);
    const messageId = this.nextId('msg_01');
    if (parsed.stream) return this.stream(res, requestId, this.reply.messageStart(messageId, parsed.model, inputTokens), fault);
    const message = this.reply.message(messageId, parsed.model, inputTokens);
    if (fault === undefined || fault.kind === 'slow_drip') return this.sendJson(res, 200, requestId, message);
    if (fault.kind === 'sse_error_first') return this.sendError(res, 529, requestId);
    // A non-streaming body broken halfway: headers promised a message, the bytes stop short.
    res.writeHead(200, this.headers(requestId, 'application/json'));
    res.write(message.slice(0, Math.floor(message.length / 2)));
    if (fault.kind === 'cut_stream') return void res.end();
    await this.flushThenReset(res);
  }

  /** Applies a fault that hits any request; true when the request should then be served normally. */
  private async applyRequestFault(fault: RequestFault, res: ServerResponse, requestId: string): Promise<boolean> {
    switch (fault.kind) {
      case 'hang':
        return false; // stop() or the client closes the socket
      case 'slow_first_byte':
        await this.pause(fault.delayMs, res);
        return !res.destroyed && this.stopping === undefined;
      case 'status':
        this.sendError(res, fault.status, requestId, undefined, fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) });
        return false;
      case 'overloaded':
        this.sendError(res, 529, requestId);
        return false;
      case 'rate_limited':
        this.sendError(res, 429, requestId, undefined, {
          'retry-after': String(fault.retryAfterSeconds),
          'anthropic-ratelimit-requests-limit': String(RATE_LIMIT),
          'anthropic-ratelimit-requests-remaining': '0',
          'anthropic-ratelimit-requests-reset': new Date(Date.now() + fault.retryAfterSeconds * 1000).toISOString(),
        });
        return false;
      case 'unauthorized':
        this.sendError(res, 401, requestId);
        return false;
    }
  }

  private async stream(res: ServerResponse, requestId: string, messageStart: string, fault: MessageFault | undefined): Promise<void> {
    res.writeHead(200, this.headers(requestId, 'text/event-stream; charset=utf-8', { 'cache-control': 'no-cache' }));
    if (fault === undefined && this.chunkDelayMs === 0) {
      // The benchmark path: two writes, no timers.
      res.write(messageStart);
      res.end(this.reply.tail);
      return;
    }
    if (fault?.kind === 'sse_error_first') {
      res.end(SSE_OVERLOADED);
      return;
    }
    const interval = fault?.kind === 'slow_drip' ? fault.intervalMs : this.chunkDelayMs;
    const total = this.reply.eventCount;
    // A cut stream never includes message_stop, however large afterEvents is.
    const limit = fault?.kind === 'reset_mid_stream' ? Math.min(fault.afterEvents, total) : fault?.kind === 'cut_stream' ? Math.min(fault.afterEvents, total - 1) : total;
    if (limit === 0) res.flushHeaders();
    for (let i = 0; i < limit; i++) {
      if (i > 0 && interval > 0) await this.pause(interval, res);
      if (res.destroyed || this.stopping !== undefined) return;
      const event = i === 0 ? messageStart : (this.reply.tailEvents[i - 1] as Buffer);
      if (!res.write(event)) await drained(res);
    }
    if (res.destroyed || this.stopping !== undefined) return;
    if (fault?.kind === 'reset_mid_stream') await this.flushThenReset(res);
    else res.end();
  }

  /** Waits until what was written has reached the kernel, then resets the connection (RST, not FIN). */
  private async flushThenReset(res: ServerResponse): Promise<void> {
    const socket = res.socket;
    if (socket === null || socket.destroyed) return;
    // An empty socket write completes only after every earlier write has been handed to the kernel.
    await new Promise<void>((resolve) => socket.write(EMPTY, () => resolve()));
    if (socket.destroyed) return;
    this.killed.add(socket);
    socket.resetAndDestroy();
  }

  /** Sleeps, waking early when the response closes (client gone, or stop() destroyed the socket), so no timer outlives it. */
  private pause(ms: number, res: ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        res.off('close', finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      res.once('close', finish);
    });
  }

  private checkApiKey(req: IncomingMessage): string | undefined {
    if (this.apiKey === null) return undefined;
    const { 'x-api-key': apiKey, authorization } = req.headers;
    if (apiKey === this.apiKey || authorization === `Bearer ${this.apiKey}`) return undefined;
    return apiKey === undefined && authorization === undefined ? 'x-api-key header is required' : 'invalid x-api-key';
  }

  private headers(requestId: string, contentType: string, extra: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
    return {
      'content-type': contentType,
      'request-id': requestId,
      'anthropic-organization-id': 'fa4e0000-0000-4000-8000-00000000fa4e',
      'anthropic-ratelimit-requests-limit': String(RATE_LIMIT),
      'anthropic-ratelimit-requests-remaining': String(RATE_LIMIT - (this.requests % RATE_LIMIT)),
      'anthropic-ratelimit-requests-reset': nextMinute(),
      ...extra,
    };
  }

  private sendJson(res: ServerResponse, status: number, requestId: string, body: string | Buffer): void {
    res.writeHead(status, this.headers(requestId, 'application/json', { 'content-length': Buffer.byteLength(body) }));
    res.end(body);
  }

  private sendError(res: ServerResponse, status: number, requestId: string, message?: string, extra: OutgoingHttpHeaders = {}): void {
    const body = errorBody(status, requestId, message);
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': requestId, 'content-length': Buffer.byteLength(body), ...extra });
    res.end(body);
  }

  private crash(res: ServerResponse, error: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    this.sendError(res, 500, 'req_01crash', `fake-anthropic crashed: ${error instanceof Error ? error.message : String(error)}`);
  }

  private nextId(prefix: string): string {
    this.idCounter++;
    return `${prefix}${this.stem}${this.idCounter.toString(36).padStart(6, '0')}`;
  }
}

function isRequestFault(fault: Fault): fault is RequestFault {
  return fault.kind !== 'refuse' && !isMessageFault(fault);
}

function routeOf(method: string, url: string): Route {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (path === '/v1/messages') return method === 'POST' ? 'messages' : 'not_found';
  if (path === '/v1/messages/count_tokens') return method === 'POST' ? 'count_tokens' : 'not_found';
  if (path === '/v1/models') return method === 'GET' ? 'models' : 'not_found';
  if (path === '/api/hello') return method === 'GET' || method === 'HEAD' ? 'hello' : 'not_found';
  return 'not_found';
}

/** Validates a Messages (or count_tokens) body; returns an Anthropic-style message naming the field on failure. */
function parseMessagesBody(body: Buffer, forCount: boolean): MessagesRequest | string {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return `Request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'Request body must be a JSON object';
  const fields = json as Record<string, unknown>;
  if (fields['model'] === undefined) return 'model: Field required';
  if (typeof fields['model'] !== 'string') return 'model: Input should be a valid string';
  if (fields['messages'] === undefined) return 'messages: Field required';
  if (!Array.isArray(fields['messages'])) return 'messages: Input should be a valid list';
  if (!forCount) {
    if (fields['max_tokens'] === undefined) return 'max_tokens: Field required';
    if (!Number.isInteger(fields['max_tokens'])) return 'max_tokens: Input should be a valid integer';
  }
  return { model: fields['model'], stream: fields['stream'] === true };
}

function nextMinute(): string {
  const now = Date.now();
  return new Date(now - (now % 60_000) + 60_000).toISOString();
}

function listen(server: Server | HttpsServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Resolves on 'drain', or on 'close' so a vanished client cannot strand the writer. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
