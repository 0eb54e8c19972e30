import type { UpstreamHandler } from './proxy/upstream/upstream-client.js';

/** A probe's answer: status, headers (lower-case names, flat), when the head came, and the start of its body. */
export interface ProbeReply {
  status: number;
  headers: string[];
  /** performance.now() when the head arrived. */
  headAt: number;
  /** At most the call's `maxBodyBytes`. */
  body: Buffer;
}

/**
 * One probe request through the proxy's upstream client, as a promise. The
 * body is read up to `maxBodyBytes` and the rest dropped with its connection;
 * a body cut short still answers with what arrived (a probe judges by the
 * status, and quotes the body only to explain it).
 */
export class ProbeCall implements UpstreamHandler {
  readonly reply: Promise<ProbeReply>;
  private settle!: (reply: ProbeReply) => void;
  private fail!: (error: Error) => void;
  private abortUpstream: (() => void) | null = null;
  private status = 0;
  private headers: string[] = [];
  private headAt = 0;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private done = false;

  constructor(private readonly maxBodyBytes: number) {
    this.reply = new Promise<ProbeReply>((resolve, reject) => {
      this.settle = resolve;
      this.fail = reject;
    });
  }

  /** Gives up (probe timeout, prober closing): the upstream request is dropped and the reply rejects with `reason`. */
  cancel(reason: Error): void {
    if (this.done) return;
    this.done = true;
    this.abortUpstream?.();
    this.fail(reason);
  }

  onStart(abort: () => void): void {
    this.abortUpstream = abort;
  }

  onHeaders(status: number, headers: string[]): boolean {
    this.status = status;
    this.headers = headers;
    this.headAt = performance.now();
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size <= this.maxBodyBytes) return true; // more than the cap: the rest is not worth reading
    this.abortUpstream?.();
    this.finish();
    return false;
  }

  onComplete(): void {
    this.finish();
  }

  onError(error: Error): void {
    if (this.headAt > 0) this.finish();
    else if (!this.done) {
      this.done = true;
      this.fail(error);
    }
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    const body = Buffer.concat(this.chunks, this.size);
    this.settle({ status: this.status, headers: this.headers, headAt: this.headAt, body: body.subarray(0, this.maxBodyBytes) });
  }
}
