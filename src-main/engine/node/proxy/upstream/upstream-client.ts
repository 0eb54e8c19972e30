import { connect as connectTcp, isIP } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import { UpstreamConnection, type ConnectionOwner, type UpstreamHandler, type UpstreamRequest } from './upstream-connection.js';

export { UpstreamError, UpstreamRequest, type UpstreamErrorCode, type UpstreamHandler } from './upstream-connection.js';

export interface UpstreamClientOptions {
  connectTimeoutMs: number;
  /** The longest a connection waits idle for its next request; an upstream's own `Keep-Alive: timeout` may shorten it. */
  idleTimeoutMs?: number;
  /** Extra TLS options (tests pass their own CA). */
  tls?: ConnectionOptions;
}

/** A request the client could not even send: it is refused before any socket is touched. */
export class InvalidRequestError extends Error {
  readonly code = 'QCC_INVALID_REQUEST';

  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

/** Methods whose requests carry a body by definition: they say `content-length: 0` when it is empty. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
/** What a header value may not hold: it would end the header, or the head. */
const UNSAFE_VALUE = /[\0\r\n]/;
/** Taken off an upstream's keep-alive timeout, so QCC never reuses a connection the upstream is closing. */
const IDLE_MARGIN_MS = 1_000;
const SWEEP_EVERY_MS = 500;
/** Bodies up to this are copied next to the head (one write); bigger ones are written beside it. */
const MAX_COPIED_BODY_BYTES = 64 * 1024;

/**
 * An HTTP/1.1 client for the proxy's upstream requests: keep-alive
 * connections pooled per origin, plain TCP or TLS, each carrying one request
 * at a time. It replaces undici on the hot path because undici's generality
 * (dispatcher chain, request validation, its own timers and body streams)
 * cost about 5 µs of CPU per request, a sixth of the proxy's
 * (`npm run bench`).
 */
export class UpstreamClient {
  private readonly origins = new Map<string, OriginPool>();
  private sweeper: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: UpstreamClientOptions) {}

  /** Sends `request` to `origin` (`https://host[:port]`); `handler` hears how it goes, including every failure. */
  dispatch(origin: string, request: UpstreamRequest, handler: UpstreamHandler): void {
    let frame: Buffer;
    let pool: OriginPool;
    try {
      if (this.closed) throw new InvalidRequestError('the upstream client is closed');
      pool = this.origins.get(origin) ?? this.addOrigin(origin);
      frame = requestFrame(pool.hostHeader, request);
    } catch (error) {
      handler.onStart(() => undefined);
      handler.onError(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const { body } = request;
    pool.take().send(request, frame, body !== null && body.length > MAX_COPIED_BODY_BYTES ? body : null, handler);
  }

  /** Idle connections close now; requests in flight finish, then their connections close. */
  close(): void {
    this.closed = true;
    if (this.sweeper !== null) clearInterval(this.sweeper);
    this.sweeper = null;
    for (const pool of this.origins.values()) pool.closeIdle(Infinity, 0);
  }

  /** Connections open, idle or busy (for leak checks). */
  get connectionCount(): number {
    let count = 0;
    for (const pool of this.origins.values()) count += pool.open;
    return count;
  }

  private addOrigin(origin: string): OriginPool {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidRequestError(`unsupported upstream protocol ${url.protocol}`);
    const pool = new OriginPool(url, this.options, () => this.closed);
    this.origins.set(origin, pool);
    if (this.sweeper === null) {
      this.sweeper = setInterval(() => this.sweep(), SWEEP_EVERY_MS);
      this.sweeper.unref();
    }
    return pool;
  }

  private sweep(): void {
    const now = performance.now();
    for (const pool of this.origins.values()) pool.closeIdle(now, this.options.idleTimeoutMs ?? 30_000);
  }
}

/** The connections to one origin; idle ones are reused newest first, so the rest age out. */
class OriginPool implements ConnectionOwner {
  readonly hostHeader: string;
  private readonly idle: UpstreamConnection[] = [];
  /** The last TLS session the origin gave us: a new connection resumes it instead of a full handshake. */
  private tlsSession: Buffer | undefined;
  open = 0;

  constructor(
    private readonly url: URL,
    private readonly options: UpstreamClientOptions,
    private readonly clientClosed: () => boolean,
  ) {
    this.hostHeader = url.host;
  }

  take(): UpstreamConnection {
    return this.idle.pop() ?? this.connect();
  }

  released(connection: UpstreamConnection): void {
    if (this.clientClosed()) return connection.close();
    connection.idleSince = performance.now();
    this.idle.push(connection);
  }

  discarded(connection: UpstreamConnection): void {
    this.open--;
    const at = this.idle.indexOf(connection);
    if (at !== -1) this.idle.splice(at, 1);
  }

  /** Closes connections idle longer than their limit (`now` Infinity: all of them). */
  closeIdle(now: number, idleTimeoutMs: number): void {
    for (const connection of [...this.idle]) {
      const limit = Math.min(idleTimeoutMs, (connection.upstreamIdleLimitMs ?? Infinity) - IDLE_MARGIN_MS);
      if (now - connection.idleSince >= limit) connection.close();
    }
  }

  private connect(): UpstreamConnection {
    const { url, options } = this;
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const secure = url.protocol === 'https:';
    const port = Number(url.port) || (secure ? 443 : 80);
    let socket;
    if (secure) {
      const tls = connectTls({ host, port, servername: isIP(host) === 0 ? host : undefined, ALPNProtocols: ['http/1.1'], session: this.tlsSession, ...options.tls });
      tls.on('session', (session: Buffer) => (this.tlsSession = session));
      // A session from a handshake that then failed is not worth resuming.
      tls.once('error', () => (this.tlsSession = undefined));
      socket = tls;
    } else socket = connectTcp({ host, port });
    socket.setNoDelay(true);
    // Finds a dead peer under a long quiet stream, as undici did (its default: probes after 60 s idle).
    socket.setKeepAlive(true, 60_000);
    this.open++;
    return new UpstreamConnection(socket, this, options.connectTimeoutMs, secure ? 'secureConnect' : 'connect');
  }
}

/** The request head, and a small body after it in the same buffer: one write, one segment. */
function requestFrame(hostHeader: string, request: UpstreamRequest): Buffer {
  const { headers, body } = request;
  let head = `${request.method} ${request.path} HTTP/1.1\r\nhost: ${hostHeader}\r\n`;
  for (let i = 0; i < headers.length; i += 2) {
    const value = headers[i + 1] as string;
    if (UNSAFE_VALUE.test(value)) throw new InvalidRequestError(`header "${headers[i]}" has a line break or NUL in its value`);
    head += `${headers[i]}: ${value}\r\n`;
  }
  const bodyLength = body === null ? 0 : body.length;
  head += bodyLength > 0 || BODY_METHODS.has(request.method) ? `content-length: ${bodyLength}\r\n\r\n` : '\r\n';
  const headLength = Buffer.byteLength(head, 'latin1');
  const copied = bodyLength <= MAX_COPIED_BODY_BYTES ? bodyLength : 0;
  const frame = Buffer.allocUnsafe(headLength + copied);
  frame.write(head, 0, 'latin1');
  if (copied > 0) (body as Buffer).copy(frame, headLength);
  return frame;
}
