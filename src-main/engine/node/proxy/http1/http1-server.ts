import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { listenOn } from '../../http-util.js';
import { Http1Connection, type ConnectionContext } from './http1-connection.js';
import type { Http1Request } from './http1-request.js';
import type { Http1Response } from './http1-response.js';
import type { RequestError, RequestHead } from './request-head.js';

export interface Http1ServerOptions {
  /** Gets every well-formed request; owns the response from then on. */
  handler: (request: Http1Request, response: Http1Response) => void;
  /**
   * Answers a request refused by the server itself — malformed (400, 501,
   * 505), head too large (431), too slow (408) — or whose body the handler
   * asked for but cannot have (413, 400, 408). The response must close the
   * connection; `head` is null when the request never parsed.
   */
  refuse: (response: Http1Response, error: RequestError, head: RequestHead | null) => void;
  /** Bodies above this are refused with 413 as soon as they pass it. */
  maxBodyBytes: number;
  /** Request line and headers together; Node's default is 16 KiB too. */
  maxHeadBytes?: number;
  /** Idle time allowed between requests on a kept-alive connection. */
  keepAliveTimeoutMs?: number;
  /** Time allowed from a head's first byte to its end (slow-loris heads get 408). */
  headersTimeoutMs?: number;
  /** Time allowed from a head's end to its body's end. */
  requestTimeoutMs?: number;
  /** Monotonic milliseconds; tests pass their own and call `sweep()`. */
  now?: () => number;
  /** How often deadlines are checked; 0 leaves it to `sweep()` calls. */
  sweepEveryMs?: number;
}

/**
 * A small HTTP/1.1 server on `net` sockets, for the proxy's hot path. Node's
 * `http` server builds a stream-based IncomingMessage and ServerResponse for
 * every request; the proxy holds whole bodies for replay and writes
 * responses through one framing object, so that machinery was a third of its
 * CPU per request. Parsing is strict (see `request-head.ts`); limits and
 * timeouts match Node's defaults unless set.
 */
export class Http1Server {
  private readonly server: Server;
  private readonly connections = new Set<Http1Connection>();
  private readonly context: ConnectionContext;
  private readonly now: () => number;
  private readonly sweepEveryMs: number;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(options: Http1ServerOptions) {
    this.now = options.now ?? (() => performance.now());
    const keepAliveTimeoutMs = options.keepAliveTimeoutMs ?? 65_000;
    this.context = {
      handler: options.handler,
      refuse: options.refuse,
      now: this.now,
      maxHeadBytes: options.maxHeadBytes ?? 16 * 1024,
      maxBodyBytes: options.maxBodyBytes,
      keepAliveTimeoutMs,
      headersTimeoutMs: options.headersTimeoutMs ?? 60_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 300_000,
      keepAliveHeader: `keep-alive: timeout=${Math.floor(keepAliveTimeoutMs / 1000)}\r\n`,
      closed: (connection) => this.connections.delete(connection),
    };
    this.sweepEveryMs = options.sweepEveryMs ?? 1_000;
    this.server = createServer((socket: Socket) => this.connections.add(new Http1Connection(socket, this.context)));
  }

  /** Listens; resolves with the bound address (port 0 picks a free one). */
  async listen(port: number, host = '127.0.0.1'): Promise<AddressInfo> {
    const address = await listenOn(this.server, port, host);
    if (this.sweepEveryMs > 0 && this.sweeper === null) {
      this.sweeper = setInterval(() => this.sweep(), this.sweepEveryMs);
      this.sweeper.unref();
    }
    return address;
  }

  address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  /** Client connections open now. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Gives up on connections whose deadline has passed. */
  sweep(): void {
    const now = this.now();
    for (const connection of this.connections) {
      if (connection.deadline <= now) connection.expire();
    }
  }

  /** Stops accepting and ends every connection, mid-response or not. */
  async close(): Promise<void> {
    if (this.sweeper !== null) clearInterval(this.sweeper);
    this.sweeper = null;
    const wasListening = this.server.listening;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of this.connections) connection.destroy();
    if (wasListening) await closed;
  }
}
