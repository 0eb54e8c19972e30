import type { Socket } from 'node:net';
import { ChunkedDecoder } from '../http1/chunked-decoder.js';
import { MalformedResponseError, parseResponseHead, type BodyFraming } from './response-head.js';

/** One request for an upstream origin (a class, not a literal: see ParsedHead in ../http1/request-head.ts). */
export class UpstreamRequest {
  constructor(
    readonly method: string,
    /** Path and query, starting with `/`. */
    readonly path: string,
    /** `[name, value, …]` as they go out; `host` and `content-length` are the client's to write. Names must be tokens (the proxy's come from its strict parser); values are checked. */
    readonly headers: readonly string[],
    readonly body: Buffer | null,
    /** From the request written to its response head complete. */
    readonly headersTimeoutMs: number,
    /** The longest silence allowed between body bytes. */
    readonly bodyTimeoutMs: number,
  ) {}
}

/**
 * Who hears about one request. Each callback comes at most once but
 * `onData`; after `onComplete` or `onError` nothing more comes, and an
 * aborted request hears nothing at all.
 */
export interface UpstreamHandler {
  /** The request is on its way; `abort` drops it, and its connection, at any point. */
  onStart(abort: () => void): void;
  /** The final response head (1xx heads are skipped). Return false to hold the body until `resume`. */
  onHeaders(status: number, headers: string[], resume: () => void): boolean;
  /** Body bytes (chunked framing removed). Return false to hold the rest until `resume`. */
  onData(chunk: Buffer): boolean;
  onComplete(): void;
  onError(error: Error): void;
}

export type UpstreamErrorCode = 'QCC_CONNECT_TIMEOUT' | 'QCC_HEADERS_TIMEOUT' | 'QCC_BODY_TIMEOUT' | 'QCC_CONNECTION_LOST';

/** Why a request failed on the client's side; socket errors (ECONNREFUSED, …) arrive as Node raised them. */
export class UpstreamError extends Error {
  constructor(
    readonly code: UpstreamErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

/** What a connection tells its pool. */
export interface ConnectionOwner {
  /** The response is complete and the connection can carry another request. */
  released(connection: UpstreamConnection): void;
  /** The connection is closed (or closing) and must not be handed out again. */
  discarded(connection: UpstreamConnection): void;
}

/** A response head larger than this is refused; Anthropic's are about 1 KiB. */
const MAX_HEAD_BYTES = 64 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n');

type State =
  /** TCP (and TLS) handshake under way; a request may be waiting for it. */
  | 'connecting'
  | 'idle'
  /** Request written, response head not yet complete. */
  | 'head'
  | 'body'
  | 'closed';

/**
 * One keep-alive connection to an upstream origin carrying one request at a
 * time (no pipelining: a failed request must never take a queued one down
 * with it). Bytes are parsed as they arrive: the head as text once it is
 * whole, the body by its framing, handed on without copies.
 */
export class UpstreamConnection {
  private state: State = 'connecting';
  private handler: UpstreamHandler | null = null;
  private request: UpstreamRequest | null = null;
  /** What waits for the handshake to finish: the head (with a small body in it), and a big body apart. */
  private queued: Buffer | null = null;
  private queuedBody: Buffer | null = null;
  /** Head bytes received so far, while the head is incomplete. */
  private partialHead: Buffer | null = null;
  private framing: BodyFraming['kind'] = 'none';
  private bodyLeft = 0;
  private chunked: ChunkedDecoder | null = null;
  private keepAlive = false;
  private paused = false;
  /** Body chunks that came in the same read after the handler said hold (a read can carry several): they wait for `resume`. */
  private held: Buffer[] = [];
  /** The body is all in, but some of it is still held for the handler. */
  private bodyDone = false;
  private timer: NodeJS.Timeout | null = null;
  /** Bumped per request, so a late `abort` or `resume` from an earlier request does nothing. */
  private generation = 0;
  /** When the connection last finished a request (monotonic ms), for the pool's idle limit. */
  idleSince = 0;
  /** The idle limit the upstream asked for (`Keep-Alive: timeout=N`), or null. */
  upstreamIdleLimitMs: number | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly owner: ConnectionOwner,
    connectTimeoutMs: number,
    readyEvent: 'connect' | 'secureConnect',
  ) {
    this.setTimer(connectTimeoutMs, 'QCC_CONNECT_TIMEOUT', 'connect timeout');
    socket.once(readyEvent, () => this.connected());
    socket.on('data', (data: Buffer) => this.received(data));
    socket.on('end', () => this.ended());
    socket.on('error', (error: Error) => this.fail(error));
    socket.on('close', () => this.fail(new UpstreamError('QCC_CONNECTION_LOST', 'the upstream closed the connection')));
  }

  /**
   * Sends `request` as `frame` (its head, with the body in it when small)
   * and `bigBody` (a body too big to copy, or null); `handler` hears how it
   * goes. The connection must be idle or still connecting.
   */
  send(request: UpstreamRequest, frame: Buffer, bigBody: Buffer | null, handler: UpstreamHandler): void {
    const generation = ++this.generation;
    this.handler = handler;
    this.request = request;
    this.paused = false;
    handler.onStart(() => this.abort(generation));
    if (this.handler !== handler) return; // aborted from onStart
    this.socket.ref();
    if (this.state === 'connecting') {
      this.queued = frame;
      this.queuedBody = bigBody;
      return;
    }
    this.write(frame, bigBody);
  }

  /** Closes an idle connection (the pool's idle limit, or the client closing). */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.held = [];
    this.bodyDone = false;
    this.clearTimer();
    this.owner.discarded(this);
    this.socket.destroy();
  }

  private connected(): void {
    this.clearTimer();
    if (this.state !== 'connecting') return;
    const frame = this.queued;
    const bigBody = this.queuedBody;
    this.queued = null;
    this.queuedBody = null;
    if (frame !== null) this.write(frame, bigBody);
    else this.state = 'idle';
  }

  private write(frame: Buffer, bigBody: Buffer | null): void {
    this.state = 'head';
    this.setTimer((this.request as UpstreamRequest).headersTimeoutMs, 'QCC_HEADERS_TIMEOUT', 'no response headers in time');
    if (bigBody === null) {
      this.socket.write(frame);
      return;
    }
    this.socket.cork();
    this.socket.write(frame);
    this.socket.write(bigBody);
    this.socket.uncork();
  }

  private received(data: Buffer): void {
    try {
      if (this.state === 'head') this.readHead(data);
      else if (this.state === 'body') this.readBody(data, 0);
      else if (this.state === 'idle') this.close(); // bytes nobody asked for: this connection is out of step
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private readHead(data: Buffer): void {
    let input = data;
    if (this.partialHead !== null) {
      input = Buffer.concat([this.partialHead, data]);
      this.partialHead = null;
    }
    for (;;) {
      const end = input.indexOf(HEAD_END);
      // Checked on the whole head too: a big one can end in the same read that takes it past the limit.
      if (end > MAX_HEAD_BYTES || (end === -1 && input.length > MAX_HEAD_BYTES)) throw new MalformedResponseError('response head too large');
      if (end === -1) {
        this.partialHead = input;
        return;
      }
      const request = this.request as UpstreamRequest;
      const head = parseResponseHead(input.toString('latin1', 0, end), request.method);
      const bodyStart = end + HEAD_END.length;
      if (head.status === 101) throw new MalformedResponseError('the upstream switched protocols');
      if (head.status < 200) {
        // 100 Continue, 103 Early Hints: the final head follows.
        input = input.subarray(bodyStart);
        if (input.length === 0) return;
        continue;
      }
      this.clearTimer();
      this.state = 'body';
      this.framing = head.framing.kind;
      this.bodyLeft = head.framing.kind === 'length' ? head.framing.length : 0;
      this.chunked = head.framing.kind === 'chunked' ? new ChunkedDecoder((chunk) => this.deliver(chunk)) : null;
      this.keepAlive = head.keepAlive;
      this.upstreamIdleLimitMs = head.keepAliveTimeoutMs;
      const generation = this.generation;
      const resume = () => this.resume(generation);
      if (!(this.handler as UpstreamHandler).onHeaders(head.status, head.headers, resume)) this.pause();
      if (this.generation !== generation || this.state !== 'body') return; // aborted meanwhile
      if (this.framing === 'none' || (this.framing === 'length' && this.bodyLeft === 0)) {
        if (bodyStart < input.length) this.keepAlive = false; // bytes after a complete response: out of step
        return this.complete();
      }
      if (bodyStart < input.length) this.readBody(input, bodyStart);
      else this.waitForBody();
      return;
    }
  }

  private readBody(input: Buffer, start: number): void {
    const generation = this.generation;
    switch (this.framing) {
      case 'length': {
        const end = Math.min(input.length, start + this.bodyLeft);
        this.bodyLeft -= end - start;
        this.deliver(start === 0 && end === input.length ? input : input.subarray(start, end));
        if (this.generation !== generation || this.state !== 'body') return;
        if (this.bodyLeft === 0) {
          if (end < input.length) this.keepAlive = false;
          return this.bodyEnded();
        }
        break;
      }
      case 'chunked': {
        const decoder = this.chunked as ChunkedDecoder;
        let used: number;
        try {
          used = decoder.feed(input, start);
        } catch (error) {
          throw new MalformedResponseError(`bad chunked framing: ${error instanceof Error ? error.message : String(error)}`);
        }
        if (this.generation !== generation || this.state !== 'body') return;
        if (decoder.done) {
          if (used < input.length) this.keepAlive = false;
          return this.bodyEnded();
        }
        break;
      }
      default:
        this.deliver(start === 0 ? input : input.subarray(start));
        if (this.generation !== generation || this.state !== 'body') return;
    }
    this.waitForBody();
  }

  private deliver(chunk: Buffer): void {
    if (this.state !== 'body' || chunk.length === 0) return;
    if (this.paused) this.held.push(chunk);
    else if (!(this.handler as UpstreamHandler).onData(chunk)) this.pause();
  }

  /** The body is all in: complete now, or once the handler has taken what is held for it. */
  private bodyEnded(): void {
    if (this.held.length === 0) return this.complete();
    this.bodyDone = true;
  }

  /** More body is due: the idle timer runs while the handler is not holding the body back. */
  private waitForBody(): void {
    if (this.paused) return;
    const request = this.request as UpstreamRequest;
    if (this.timer === null) this.setTimer(request.bodyTimeoutMs, 'QCC_BODY_TIMEOUT', 'the response body stalled');
    else this.timer.refresh();
  }

  private ended(): void {
    if (this.state === 'body' && this.framing === 'close') return this.bodyEnded();
    this.fail(new UpstreamError('QCC_CONNECTION_LOST', this.state === 'head' ? 'the upstream closed the connection before responding' : 'the upstream closed the connection mid-response'));
  }

  private complete(): void {
    const handler = this.handler as UpstreamHandler;
    this.clearTimer();
    this.handler = null;
    this.request = null;
    this.chunked = null;
    this.partialHead = null;
    this.bodyDone = false;
    if (this.paused) {
      // The handler held the last bytes back; the response is whole, so the socket may read again.
      this.paused = false;
      this.socket.resume();
    }
    if (this.keepAlive) {
      this.state = 'idle';
      this.socket.unref(); // an idle connection must not keep the process alive
      this.owner.released(this);
    } else this.close();
    handler.onComplete();
  }

  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.clearTimer(); // a client reading slowly is not the upstream stalling
    this.socket.pause();
  }

  private resume(generation: number): void {
    if (generation !== this.generation || !this.paused || this.state !== 'body') return;
    this.paused = false;
    this.socket.resume(); // takes effect on a later tick: a hold while the held bytes go out pauses it again first
    while (this.held.length > 0) {
      this.deliver(this.held.shift() as Buffer);
      if (this.generation !== generation || this.state !== 'body' || this.paused) return; // aborted, or held again
    }
    if (this.bodyDone) return this.complete();
    this.waitForBody();
  }

  private abort(generation: number): void {
    if (generation !== this.generation || this.handler === null) return;
    this.handler = null;
    this.close();
  }

  /** The request in flight (if any) fails with `error`; the connection is gone. */
  private fail(error: Error): void {
    if (this.bodyDone) {
      // The response is whole, its last bytes held for the handler: only the connection is lost, and it closes after them.
      this.keepAlive = false;
      return;
    }
    const handler = this.handler;
    this.handler = null;
    this.close();
    handler?.onError(error);
  }

  private setTimer(ms: number, code: UpstreamErrorCode, message: string): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.fail(new UpstreamError(code, message));
    }, ms);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.timer = null;
  }
}
