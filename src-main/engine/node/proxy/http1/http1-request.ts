import { CHUNKED, RequestError, type RequestHead } from './request-head.js';

/** What the connection does for a request on the handler's behalf. */
export interface RequestOwner {
  /** Sends `100 Continue` if the client waits for it. */
  continueBody(): void;
}

/** Who waits for a request's body. */
export interface BodyListener {
  bodyReceived(body: Buffer): void;
  /** The body will never arrive whole, and why (413 too large, 400 bad framing, 408 too slow). */
  bodyRefused(error: RequestError): void;
}

/**
 * A request as the handler sees it: its head at once, its whole body later
 * through `readBody` (the proxy holds bodies for replay, so there is no body
 * stream). The connection feeds the body in as it arrives.
 */
export class Http1Request {
  private chunks: Buffer[] = [];
  private size = 0;
  private listener: BodyListener | null = null;
  private body: Buffer | null = null;
  private refusal: RequestError | null = null;
  /** The handler answered without the body: the rest is read and dropped. */
  private discarding = false;

  constructor(
    readonly head: RequestHead,
    private readonly maxBodyBytes: number,
    private readonly owner: RequestOwner,
  ) {}

  get method(): string {
    return this.head.method;
  }

  /** The request target: path and query, as received. */
  get url(): string {
    return this.head.target;
  }

  get rawHeaders(): readonly string[] {
    return this.head.rawHeaders;
  }

  /** The body's declared length, or null when it is chunked. */
  get contentLength(): number | null {
    return this.head.bodyLength === CHUNKED ? null : this.head.bodyLength;
  }

  /** The first value of header `lowerName`. */
  header(lowerName: string): string | undefined {
    const raw = this.head.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i] as string;
      if (name.length === lowerName.length && name.toLowerCase() === lowerName) return raw[i + 1];
    }
    return undefined;
  }

  /** Asks for the whole body: `listener` gets it once it is in, or hears why it never will be. */
  readBody(listener: BodyListener): void {
    if (this.refusal) return listener.bodyRefused(this.refusal);
    if (this.body) return listener.bodyReceived(this.body);
    this.listener = listener;
    this.owner.continueBody();
  }

  /** Whether the handler is waiting for the body (a refusal must then go to it). */
  get awaitingBody(): boolean {
    return this.listener !== null;
  }

  /** Body bytes arrived (a view of the socket's buffer). */
  receive(data: Buffer): void {
    if (this.discarding || this.refusal) return;
    this.size += data.length;
    if (this.size > this.maxBodyBytes) {
      this.chunks = [];
      this.refuse(new RequestError(413, 'Request exceeds the maximum allowed number of bytes.'));
      return;
    }
    this.chunks.push(data);
  }

  /** The body is complete. */
  complete(): void {
    if (this.discarding || this.refusal) return;
    const { chunks } = this;
    this.chunks = [];
    const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.size);
    this.body = body;
    const listener = this.listener;
    this.listener = null;
    listener?.bodyReceived(body);
  }

  /** The body will never arrive whole; the handler hears why, if it asked for it. */
  refuse(error: RequestError): void {
    if (this.refusal || this.discarding) return;
    this.refusal = error;
    const listener = this.listener;
    this.listener = null;
    listener?.bodyRefused(error);
  }

  /** The response went out before the body was read: drop what is left of it. */
  discard(): void {
    this.discarding = true;
    this.chunks = [];
    this.listener = null;
  }
}
