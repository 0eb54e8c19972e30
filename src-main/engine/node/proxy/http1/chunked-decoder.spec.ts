import { describe, expect, it } from 'vitest';
import { ChunkedDecoder } from './chunked-decoder.js';
import { RequestError } from './request-head.js';

// The chunked request-body decoder, fed the way a socket delivers bytes: in pieces split anywhere.

/** Body bytes with CR, LF, NUL and high bytes inside: framing must come from the sizes, never from the data. */
const PAYLOAD = Buffer.from('hello\r\n\r\n0\r\n\x00\xff world; not-a-size\r\n', 'latin1');
const NEXT_REQUEST = 'GET /next HTTP/1.1\r\nHost: h\r\n\r\n';

/** PAYLOAD in three chunks (one upper-case hex size, extensions on two), a trailer, then the next pipelined request. */
const WIRE = Buffer.concat([
  Buffer.from('5;name=value\r\n', 'latin1'),
  PAYLOAD.subarray(0, 5),
  Buffer.from(`\r\n${(PAYLOAD.length - 5 - 1).toString(16).toUpperCase()} ; ext="q;x"\r\n`, 'latin1'),
  PAYLOAD.subarray(5, PAYLOAD.length - 1),
  Buffer.from('\r\n1\r\n', 'latin1'),
  PAYLOAD.subarray(PAYLOAD.length - 1),
  Buffer.from('\r\n0;last\r\nX-Trailer: dropped\r\nX-Other: also dropped\r\n\r\n', 'latin1'),
  Buffer.from(NEXT_REQUEST, 'latin1'),
]);

interface Outcome {
  data: Buffer;
  done: boolean;
  /** Bytes after the body: what the connection keeps for the next request. */
  rest: Buffer;
}

/** Feeds `pieces` in turn, as a connection does, stopping where the decoder says the body ends. */
function decode(pieces: Buffer[]): Outcome {
  const received: Buffer[] = [];
  const decoder = new ChunkedDecoder((data) => received.push(Buffer.from(data)));
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i] as Buffer;
    const used = decoder.feed(piece, 0);
    if (decoder.done) return { data: Buffer.concat(received), done: true, rest: Buffer.concat([piece.subarray(used), ...pieces.slice(i + 1)]) };
    expect(used).toBe(piece.length);
  }
  return { data: Buffer.concat(received), done: false, rest: Buffer.alloc(0) };
}

function splitAt(input: Buffer, ...points: number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let from = 0;
  for (const point of points) {
    pieces.push(input.subarray(from, point));
    from = point;
  }
  pieces.push(input.subarray(from));
  return pieces;
}

function refusalOf(pieces: Buffer[]): RequestError {
  try {
    decode(pieces);
  } catch (error) {
    expect(error).toBeInstanceOf(RequestError);
    return error as RequestError;
  }
  throw new Error('the decoder accepted malformed framing');
}

const wire = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('ChunkedDecoder', () => {
  it('decodes a body given at once, ignoring extensions and dropping trailers, and leaves the next request', () => {
    const outcome = decode([WIRE]);
    expect(outcome.done).toBe(true);
    expect(outcome.data.equals(PAYLOAD)).toBe(true);
    expect(outcome.rest.toString('latin1')).toBe(NEXT_REQUEST);
  });

  it('decodes the same bytes split at every possible boundary', () => {
    for (let split = 0; split <= WIRE.length; split++) {
      const outcome = decode(splitAt(WIRE, split));
      expect({ split, done: outcome.done, data: outcome.data.toString('latin1'), rest: outcome.rest.toString('latin1') }).toEqual({
        split,
        done: true,
        data: PAYLOAD.toString('latin1'),
        rest: NEXT_REQUEST,
      });
    }
  });

  it('decodes the same bytes split at every pair of boundaries', () => {
    for (let first = 0; first <= WIRE.length; first++) {
      for (let second = first; second <= WIRE.length; second++) {
        const outcome = decode(splitAt(WIRE, first, second));
        if (!outcome.done || !outcome.data.equals(PAYLOAD) || outcome.rest.toString('latin1') !== NEXT_REQUEST) {
          throw new Error(`wrong decoding when split at ${first} and ${second}: ${JSON.stringify(outcome.data.toString('latin1'))}`);
        }
      }
    }
  });

  it('decodes the bytes fed one at a time', () => {
    const outcome = decode([...WIRE].map((byte) => Buffer.from([byte])));
    expect(outcome.data.equals(PAYLOAD)).toBe(true);
    expect(outcome.rest.toString('latin1')).toBe(NEXT_REQUEST);
  });

  it('is not done until the blank line after the last chunk (and its trailers) has arrived', () => {
    expect(decode([wire('3\r\nabc\r\n0\r\n')]).done).toBe(false);
    expect(decode([wire('3\r\nabc\r\n0\r\nX-T: 1\r\n')]).done).toBe(false);
    expect(decode([wire('3\r\nabc\r\n0\r\n\r')]).done).toBe(false);
    expect(decode([wire('3\r\nabc\r\n0\r\n\r\n')])).toMatchObject({ done: true, rest: Buffer.alloc(0) });
  });

  it('feeds from the start index it is given and returns an index into the same buffer', () => {
    const received: string[] = [];
    const decoder = new ChunkedDecoder((data) => received.push(data.toString('latin1')));
    const input = wire('HEAD-BYTES|4\r\nbody\r\n0\r\n\r\nNEXT');
    const used = decoder.feed(input, 'HEAD-BYTES|'.length);
    expect(received.join('')).toBe('body');
    expect(input.toString('latin1', used)).toBe('NEXT');
  });

  it('decodes an empty body and a large chunk', () => {
    expect(decode([wire('0\r\n\r\n')])).toMatchObject({ done: true, data: Buffer.alloc(0) });
    const big = Buffer.alloc(70_000, 0x61);
    const outcome = decode(splitAt(Buffer.concat([wire('11170\r\n'), big, wire('\r\n0\r\n\r\n')]), 1000, 65_536));
    expect(outcome.done).toBe(true);
    expect(outcome.data.equals(big)).toBe(true);
  });

  it('gives data as it arrives, before the chunk is complete', () => {
    const received: string[] = [];
    const decoder = new ChunkedDecoder((data) => received.push(data.toString('latin1')));
    decoder.feed(wire('a\r\nfirst'), 0);
    expect(received.join('')).toBe('first');
    decoder.feed(wire('-half\r\n0\r\n\r\n'), 0);
    expect(received.join('')).toBe('first-half');
    expect(decoder.done).toBe(true);
  });
});

describe('ChunkedDecoder refusals', () => {
  it.each([
    ['a non-hex size', 'zz\r\n'],
    ['a 0x prefix', '0x5\r\nhello\r\n0\r\n\r\n'],
    ['a negative size', '-5\r\nhello\r\n'],
    ['an empty size line', '\r\nhello\r\n'],
    ['a size of 13 hex digits', '0000000000005\r\nhello\r\n'],
    ['a size line ending in a bare LF', '5\nhello\r\n0\r\n\r\n'],
    ['junk after the size without a semicolon', '5 x\r\nhello\r\n'],
  ])('refuses %s with 400', (_name, text) => {
    expect(refusalOf([wire(text)]).status).toBe(400);
  });

  it.each([
    ['the next size right after the data', '3\r\nabc0\r\n\r\n'],
    ['more data than declared', '3\r\nabcd\r\n0\r\n\r\n'],
    ['a bare LF after the data', '3\r\nabc\n0\r\n\r\n'],
  ])('refuses a chunk without CRLF after its data (%s) with 400', (_name, text) => {
    expect(refusalOf([wire(text)]).status).toBe(400);
  });

  it('refuses a missing CRLF after the data also when the bytes arrive one at a time', () => {
    expect(refusalOf([...wire('3\r\nabcX\r\n0\r\n\r\n')].map((byte) => Buffer.from([byte]))).status).toBe(400);
  });

  it('refuses a size line longer than 4 KiB with 400, even before its end arrives', () => {
    const extension = `5;${'x'.repeat(5_000)}`;
    expect(refusalOf([wire(`${extension}\r\nhello\r\n0\r\n\r\n`)]).status).toBe(400);
    // Fed in small pieces with no line end yet: the decoder must not buffer it without limit.
    const pieces = splitAt(wire(extension), ...Array.from({ length: 49 }, (_, i) => (i + 1) * 100));
    expect(refusalOf(pieces).message).toContain('too long');
    // A long line within the limit is fine.
    expect(decode([wire(`5;${'x'.repeat(4_000)}\r\nhello\r\n0\r\n\r\n`)]).data.toString()).toBe('hello');
  });

  it('refuses trailers above 16 KiB with 431, and accepts those just under it', () => {
    const line = `X-T: ${'t'.repeat(3_995)}\r\n`; // 4,000 characters without the CRLF
    expect(refusalOf([wire(`3\r\nabc\r\n0\r\n${line.repeat(5)}\r\n`)]).status).toBe(431);
    expect(decode([wire(`3\r\nabc\r\n0\r\n${line.repeat(4)}\r\n`)])).toMatchObject({ done: true });
  });
});
