import type { Socket } from 'node:net';
import { ChunkedDecoder } from './chunked-decoder.js';
import { Http1Request, type RequestOwner } from './http1-request.js';
import { Http1Response, type ResponseOwner } from './http1-response.js';
import { CHUNKED, RequestError, parseRequestHead, type RequestHead } from './request-head.js';

/** The settings and callbacks every connection of a server shares. */
export interface ConnectionContext {
  readonly handler: (request: Http1Request, response: Http1Response) => void;
  /** Answers a request refused before (or instead of) the handler: malformed, too slow, too large. */
  readonly refuse: (response: Http1Response, error: RequestError, head: RequestHead | null) => void;
  readonly now: () => number;
  readonly maxHeadBytes: number;
  readonly maxBodyBytes: number;
  readonly keepAliveTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveHeader: string;
  readonly closed: (connection: Http1Connection) => void;
}

/** How long a connection being closed keeps draining what the client still sends, so our last response is not lost to a reset. */
const LINGER_MS = 5_000;
const HEAD_END = Buffer.from('\r\n\r\n');
const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';

type Phase =
  /** Waiting for (the rest of) a request head. */
  | 'head'
  /** Reading the current request's body. */
  | 'body'
  /** Body read; waiting for the response to finish. Bytes arriving now are the next request. */
  | 'after-body'
  /** Our side is ending: what arrives is dropped until the client closes too. */
  | 'closing';

/**
 * One client connection: parses requests one after another (pipelined ones
 * wait their turn), hands each to the handler, and keeps the connection or
 * closes it as the framing demands. Time limits are deadlines the server's
 * sweep checks, so no timer is armed per request.
 */
export class Http1Connection implements RequestOwner, ResponseOwner {
  /** When the connection is given up on unless something happens (ms on the server's clock). */
  deadline: number;
  private phase: Phase = 'head';
  private buffered: Buffer | null = null;
  /** Where to resume looking for the end of a head that arrived in pieces. */
  private scanFrom = 0;
  private request: Http1Request | null = null;
  private response: Http1Response | null = null;
  private bodyLeft = 0;
  private chunked: ChunkedDecoder | null = null;
  private continueSent = false;
  private advancing = false;

  constructor(
    readonly socket: Socket,
    private readonly context: ConnectionContext,
  ) {
    this.deadline = context.now() + context.keepAliveTimeoutMs;
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('drain', () => this.response?.drained());
    socket.on('error', () => undefined); // 'close' follows; what broke is not the client's business
    socket.on('close', () => this.onClose());
  }

  get keepAliveHeader(): string {
    return this.context.keepAliveHeader;
  }

  /** The deadline passed: a slow head or body gets 408, an idle or closing connection is dropped. */
  expire(): void {
    if (this.phase === 'head' && this.buffered !== null) return this.refuse(new RequestError(408, 'Request timeout: the request head did not arrive in time.'), null);
    if (this.phase === 'body') return this.bodyFailed(new RequestError(408, 'Request timeout: the request body did not arrive in time.'));
    this.socket.destroy();
  }

  /** Ends the connection now (server shutdown). */
  destroy(): void {
    this.socket.destroy();
  }

  continueBody(): void {
    const { request } = this;
    if (request === null || !request.head.expectContinue || this.continueSent || this.bodyDone || this.response?.headersSent) return;
    this.continueSent = true;
    this.socket.write(CONTINUE, 'latin1');
  }

  responseFinished(response: Http1Response): void {
    if (response !== this.response) return;
    if (response.closeAfter) return this.close();
    if (this.bodyDone) return this.next();
    (this.request as Http1Request).discard();
  }

  /** The current request's body has been read whole. */
  private get bodyDone(): boolean {
    return this.phase === 'after-body';
  }

  get mustCloseAfterResponse(): boolean {
    // A client that was never told to continue may or may not send its body: the framing is lost.
    return !this.bodyDone && this.request?.head.expectContinue === true && !this.continueSent;
  }

  private onData(data: Buffer): void {
    if (this.phase === 'closing') return;
    if (this.buffered === null) {
      this.buffered = data;
      if (this.phase === 'head') this.deadline = this.context.now() + this.context.headersTimeoutMs;
    } else this.buffered = Buffer.concat([this.buffered, data]);
    this.advance();
  }

  private advance(): void {
    if (this.advancing) return;
    this.advancing = true;
    try {
      while (this.buffered !== null) {
        if (this.phase === 'head') {
          if (!this.readHead()) break;
        } else if (this.phase === 'body') this.readBody();
        else if (this.phase === 'closing') this.buffered = null;
        else {
          // Pipelined bytes wait for the response; past a head's worth, stop reading until it is done.
          if (this.buffered.length > this.context.maxHeadBytes) this.socket.pause();
          break;
        }
      }
    } catch {
      // A handler threw past its own guards: this connection's state is unknown, so it ends here rather than the process.
      this.socket.destroy();
    } finally {
      this.advancing = false;
    }
  }

  /** Parses a whole head if one is buffered and starts its request; false when more bytes are needed. */
  private readHead(): boolean {
    let input = this.buffered as Buffer;
    // RFC 9112 §2.2: empty lines before a request line are ignored (and dropped, so endless ones cannot pile up).
    if (input[0] === 0x0d) {
      let start = 0;
      while (input[start] === 0x0d && input[start + 1] === 0x0a) start += 2;
      if (start > 0) {
        input = input.subarray(start);
        this.scanFrom = Math.max(0, this.scanFrom - start);
        this.buffered = input.length > 0 ? input : null;
        if (this.buffered === null) return false;
      }
    }
    const end = input.indexOf(HEAD_END, this.scanFrom);
    if (end === -1 || end > this.context.maxHeadBytes) {
      if (input.length > this.context.maxHeadBytes) {
        this.refuse(new RequestError(431, 'Request header fields too large.'), null);
        return false;
      }
      this.scanFrom = Math.max(0, input.length - 3);
      return false;
    }
    let head: RequestHead;
    try {
      head = parseRequestHead(input.toString('latin1', 0, end));
    } catch (error) {
      if (!(error instanceof RequestError)) throw error;
      this.refuse(error, null);
      return false;
    }
    const bodyStart = end + HEAD_END.length;
    this.buffered = bodyStart < input.length ? input.subarray(bodyStart) : null;
    this.scanFrom = 0;
    this.startRequest(head);
    return true;
  }

  private startRequest(head: RequestHead): void {
    const request = new Http1Request(head, this.context.maxBodyBytes, this);
    const response = new Http1Response(this, head.method === 'HEAD', head.minorVersion, head.keepAlive);
    this.request = request;
    this.response = response;
    this.phase = 'body';
    this.continueSent = false;
    this.bodyLeft = head.bodyLength === CHUNKED ? 0 : head.bodyLength;
    this.chunked = head.bodyLength === CHUNKED ? new ChunkedDecoder((data) => request.receive(data)) : null;
    this.deadline = this.context.now() + this.context.requestTimeoutMs;
    this.context.handler(request, response);
    if (this.request === request && head.bodyLength === 0) this.bodyComplete();
  }

  private readBody(): void {
    const input = this.buffered as Buffer;
    const request = this.request as Http1Request;
    let used: number;
    if (this.chunked !== null) {
      try {
        used = this.chunked.feed(input, 0);
      } catch (error) {
        if (!(error instanceof RequestError)) throw error;
        return this.bodyFailed(error);
      }
    } else {
      used = Math.min(this.bodyLeft, input.length);
      this.bodyLeft -= used;
      request.receive(used === input.length ? input : input.subarray(0, used));
    }
    if (this.phase !== 'body') return; // the handler refused the body and the connection is closing
    this.buffered = used < input.length ? input.subarray(used) : null;
    if (this.chunked !== null ? this.chunked.done : this.bodyLeft === 0) this.bodyComplete();
  }

  private bodyComplete(): void {
    const request = this.request as Http1Request;
    this.phase = 'after-body';
    this.deadline = Infinity; // the response takes as long as the upstream does
    request.complete();
    if (this.request === request && this.response?.finished) this.next();
  }

  /** The body broke off (bad framing, too slow): whoever waits for it answers, and the connection closes. */
  private bodyFailed(error: RequestError): void {
    if (this.phase !== 'body') return; // already answered and closing (a refusal made while this input was being decoded)
    const request = this.request as Http1Request;
    const response = this.response as Http1Response;
    this.phase = 'closing';
    this.buffered = null;
    response.closeAfter = true;
    if (request.awaitingBody) request.refuse(error);
    else if (!response.headersSent) this.context.refuse(response, error, request.head);
    else if (response.finished) this.close();
    // else: a response is under way without the body (the handler chose so); it ends the connection when it ends.
  }

  /** Answers a request that never reached the handler, then closes. */
  private refuse(error: RequestError, head: RequestHead | null): void {
    const response = new Http1Response(this, false, 1, false);
    this.request = null;
    this.response = response;
    this.phase = 'closing';
    this.buffered = null;
    this.context.refuse(response, error, head);
  }

  /** Request and response are both done: on to the next request on this connection. */
  private next(): void {
    this.request = null;
    this.response = null;
    this.chunked = null;
    this.phase = 'head';
    this.deadline = this.context.now() + (this.buffered === null ? this.context.keepAliveTimeoutMs : this.context.headersTimeoutMs);
    if (this.socket.isPaused()) this.socket.resume();
    if (this.buffered !== null) this.advance();
  }

  /** Sends FIN once what is written has gone out, and drops what the client still sends until it closes too. */
  private close(): void {
    this.phase = 'closing';
    this.buffered = null;
    this.request = null;
    this.response = null;
    this.deadline = this.context.now() + LINGER_MS;
    if (this.socket.isPaused()) this.socket.resume();
    this.socket.end();
  }

  private onClose(): void {
    const response = this.response;
    this.response = null;
    this.request = null;
    this.phase = 'closing';
    this.buffered = null;
    this.context.closed(this);
    response?.connectionClosed();
  }
}
