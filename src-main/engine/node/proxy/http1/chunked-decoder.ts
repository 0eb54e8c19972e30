import { RequestError } from './request-head.js';

/** Longest chunk-size line or trailer line accepted; chunk extensions beyond that are abuse. */
const MAX_LINE_CHARS = 4096;
/** All trailer lines together. */
const MAX_TRAILER_CHARS = 16 * 1024;
/** A chunk size in hex, then optional extensions (ignored, as RFC 9112 §7.1.1 allows). */
const SIZE_LINE = /^([0-9a-fA-F]{1,12})[ \t]*(?:;.*)?$/;

type State =
  /** Reading a chunk-size line. */
  | 'size'
  /** Inside a chunk's data. */
  | 'data'
  /** The CRLF that must follow a chunk's data. */
  | 'data-end'
  /** Trailer lines after the last chunk, up to an empty line. */
  | 'trailer'
  | 'done';

/**
 * Decodes a chunked request body (RFC 9112 §7.1) as bytes arrive, in pieces
 * split anywhere. Data goes to `onData` as views of the input (no copy);
 * trailers are read and dropped. Malformed framing throws a `RequestError`.
 */
export class ChunkedDecoder {
  private state: State = 'size';
  private remaining = 0;
  private line = '';
  private trailerChars = 0;

  constructor(private readonly onData: (data: Buffer) => void) {}

  get done(): boolean {
    return this.state === 'done';
  }

  /** Consumes `input` from `start`; returns the index after the body's last byte (bytes after it belong to the next request), or `input.length`. */
  feed(input: Buffer, start: number): number {
    let at = start;
    while (at < input.length && this.state !== 'done') {
      if (this.state === 'data') {
        const end = Math.min(input.length, at + this.remaining);
        this.onData(input.subarray(at, end));
        this.remaining -= end - at;
        at = end;
        if (this.remaining === 0) this.state = 'data-end';
        continue;
      }
      const newline = input.indexOf(0x0a, at);
      const piece = input.toString('latin1', at, newline === -1 ? input.length : newline);
      if (this.line.length + piece.length > MAX_LINE_CHARS) throw new RequestError(400, 'Bad request: a chunked-body line is too long.');
      if (newline === -1) {
        this.line += piece;
        return input.length;
      }
      const full = this.line + piece;
      this.line = '';
      at = newline + 1;
      if (!full.endsWith('\r')) throw new RequestError(400, 'Bad request: a chunked-body line does not end with CRLF.');
      this.endLine(full.slice(0, -1));
    }
    return at;
  }

  private endLine(line: string): void {
    switch (this.state) {
      case 'size': {
        const size = SIZE_LINE.exec(line);
        if (size === null) throw new RequestError(400, `Bad request: invalid chunk size line ${JSON.stringify(line.slice(0, 40))}.`);
        this.remaining = parseInt(size[1] as string, 16);
        this.state = this.remaining === 0 ? 'trailer' : 'data';
        return;
      }
      case 'data-end':
        if (line !== '') throw new RequestError(400, 'Bad request: chunk data is longer than its declared size.');
        this.state = 'size';
        return;
      case 'trailer':
        this.trailerChars += line.length;
        if (this.trailerChars > MAX_TRAILER_CHARS) throw new RequestError(431, 'Request trailers are too large.');
        if (line === '') this.state = 'done';
        return;
      default:
        return;
    }
  }
}
