import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

/** What the connection does for a response. */
export interface ResponseOwner {
  readonly socket: Socket;
  /** `keep-alive: timeout=N` for responses on a connection that stays open. */
  readonly keepAliveHeader: string;
  /** The connection cannot carry another request after this response (a body the client may or may not send is pending). */
  readonly mustCloseAfterResponse: boolean;
  /** The response's last byte is written (or it was destroyed). */
  responseFinished(response: Http1Response): void;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What a header value may hold (RFC 9110 §5.5): no CR, LF, NUL or other controls but HTAB. */
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const LAST_CHUNK = '0\r\n\r\n';
/** Bigger body pieces are written beside their framing (writev) rather than copied next to it. */
const MAX_COPIED_BYTES = 16 * 1024;

/**
 * One HTTP/1.1 response: `writeHead` with a flat header list, then `write`
 * and `end`. It owns the framing — Content-Length as given, else chunked
 * (or close-delimited for HTTP/1.0), none for HEAD, 1xx, 204 and 304 — and
 * writes each head together with the first body bytes in one syscall.
 */
export class Http1Response {
  statusCode = 200;
  headersSent = false;
  /** The last byte is written (`end`), or the response was destroyed. */
  finished = false;
  /** The connection is gone: nothing more can be written. */
  destroyed = false;
  /** Called once if the client goes away before the response is finished. */
  onClose: (() => void) | null = null;
  /** Called when the client has read what was buffered after `write` returned false. */
  onDrain: (() => void) | null = null;
  /** The connection must close after this response (asked for, or framing was not kept). */
  closeAfter: boolean;
  private pendingHead: string | null = null;
  private hasBody = true;
  private chunked = false;
  private declaredLength = -1;
  private bodyBytes = 0;

  constructor(
    private readonly owner: ResponseOwner,
    private readonly isHead: boolean,
    private readonly minorVersion: 0 | 1,
    keepAlive: boolean,
  ) {
    this.closeAfter = !keepAlive;
  }

  /**
   * Sets status and headers (`[name, value, …]`); they go out with the first
   * body bytes. `transfer-encoding`, `connection` and `keep-alive` belong to
   * the framing and are set here (`connection: close` is honoured).
   */
  writeHead(status: number, headers: readonly string[]): void {
    if (this.headersSent) throw new Error('writeHead called twice for one response');
    let lines = '';
    let hasDate = false;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i] as string;
      const value = headers[i + 1] as string;
      if (!TOKEN.test(name)) throw new TypeError(`invalid response header name ${JSON.stringify(name)}`);
      if (INVALID_VALUE.test(value)) throw new TypeError(`invalid character in the value of response header "${name}"`);
      switch (name.length) {
        case 4:
          if (name.toLowerCase() === 'date') hasDate = true;
          break;
        case 10:
          if (name.toLowerCase() === 'connection') {
            if (/\bclose\b/i.test(value)) this.closeAfter = true;
            continue;
          }
          if (name.toLowerCase() === 'keep-alive') continue;
          break;
        case 14:
          if (name.toLowerCase() === 'content-length') {
            if (this.declaredLength !== -1 || !/^\d{1,15}$/.test(value)) throw new TypeError(`invalid content-length ${JSON.stringify(value)} in a response`);
            this.declaredLength = Number(value);
          }
          break;
        case 17:
          if (name.toLowerCase() === 'transfer-encoding') continue;
          break;
      }
      lines += `${name}: ${value}\r\n`;
    }
    this.statusCode = status;
    this.headersSent = true;
    this.hasBody = !(this.isHead || status < 200 || status === 204 || status === 304);
    if (this.hasBody && this.declaredLength === -1) {
      if (this.minorVersion === 1) {
        this.chunked = true;
        lines += 'transfer-encoding: chunked\r\n';
      } else this.closeAfter = true; // HTTP/1.0 without a length: the body ends when the connection does
    }
    if (!hasDate) lines += `date: ${httpDate()}\r\n`;
    if (this.owner.mustCloseAfterResponse) this.closeAfter = true;
    if (this.closeAfter) lines += 'connection: close\r\n';
    else lines += this.minorVersion === 0 ? `connection: keep-alive\r\n${this.owner.keepAliveHeader}` : this.owner.keepAliveHeader;
    this.pendingHead = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n${lines}\r\n`;
  }

  /** Writes body bytes; false when the client is slower than the writer (wait for `onDrain`). */
  write(chunk: Buffer | string): boolean {
    if (this.finished) return false;
    if (!this.headersSent) this.writeHead(this.statusCode, []);
    return this.send(chunk, false);
  }

  /** Writes the last bytes (if any) and finishes the response. */
  end(chunk?: Buffer | string): void {
    if (this.finished) return;
    if (!this.headersSent) this.writeHead(this.statusCode, []);
    this.send(chunk, true);
    // A body shorter than its Content-Length leaves the client waiting for bytes that never come: close instead.
    if (this.hasBody && this.declaredLength !== -1 && this.bodyBytes !== this.declaredLength) this.closeAfter = true;
    this.finished = true;
    this.owner.responseFinished(this);
  }

  /** Drops the connection at once (a response broken after commit). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.onClose = null;
    this.onDrain = null;
    this.closeAfter = true;
    this.owner.socket.destroy();
    if (!this.finished) {
      this.finished = true;
      this.owner.responseFinished(this);
    }
  }

  /** The connection closed: tell the handler if the response was not finished. */
  connectionClosed(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    const onClose = this.onClose;
    this.onClose = null;
    this.onDrain = null;
    if (!this.finished) onClose?.();
  }

  drained(): void {
    this.onDrain?.();
  }

  private send(chunk: Buffer | string | undefined, last: boolean): boolean {
    const { socket } = this.owner;
    if (this.destroyed || socket.destroyed || socket.writableEnded) return false;
    const head = this.pendingHead ?? '';
    this.pendingHead = null;
    const length = chunk === undefined || !this.hasBody ? 0 : typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    if (length > 0 && this.declaredLength !== -1 && this.bodyBytes + length > this.declaredLength) {
      throw new Error(`response body longer than its content-length (${this.declaredLength})`);
    }
    this.bodyBytes += length;
    const before = this.chunked && length > 0 ? `${head}${length.toString(16)}\r\n` : head;
    const after = this.chunked ? (length > 0 ? (last ? `\r\n${LAST_CHUNK}` : '\r\n') : last ? LAST_CHUNK : '') : '';
    if (length === 0) return before.length + after.length === 0 ? !socket.writableNeedDrain : socket.write(before + after, 'latin1');
    if (before.length + after.length === 0) return socket.write(chunk as Buffer | string);
    if (length > MAX_COPIED_BYTES) {
      socket.cork();
      if (before.length > 0) socket.write(before, 'latin1');
      let writable = socket.write(chunk as Buffer | string);
      if (after.length > 0) writable = socket.write(after, 'latin1');
      socket.uncork();
      return writable;
    }
    // Head, framing and data in one buffer: one trip through the socket's stream instead of three.
    const frame = Buffer.allocUnsafe(before.length + length + after.length);
    frame.write(before, 0, 'latin1');
    if (typeof chunk === 'string') frame.write(chunk, before.length, 'utf8');
    else (chunk as Buffer).copy(frame, before.length);
    if (after.length > 0) frame.write(after, before.length + length, 'latin1');
    return socket.write(frame);
  }
}

let cachedDate = '';
let cachedSecond = -1;

/** The Date header's value, made at most once a second. */
function httpDate(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedDate = new Date(second * 1000).toUTCString();
  }
  return cachedDate;
}
