import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { adler32, zlibDeflate } from './deflate.js';

// A fixed xorshift stream, so "random" inputs are the same on every run.
function noise(length: number, seed = 0x2545f491, range = 256): Uint8Array {
  let state = seed;
  return Uint8Array.from({ length }, () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % range;
  });
}

const block = noise(20_000);
const roundTrip = (data: Uint8Array): Buffer => inflateSync(zlibDeflate(data));

describe('zlibDeflate', () => {
  it('produces streams node:zlib inflates back to the input', () => {
    const inputs = {
      empty: new Uint8Array(0),
      'one byte': Uint8Array.of(0xff),
      'long run': new Uint8Array(100_000).fill(7),
      'incompressible, every byte value': noise(70_000),
      'few symbols': noise(50_000, 99, 3),
      // a 20 000-byte block repeated: matches at distances up to the 32 KiB window
      'far repeats': Uint8Array.from({ length: 90_000 }, (_, i) => block[i % block.length]!),
    };
    for (const [name, data] of Object.entries(inputs)) {
      expect(Buffer.from(data).equals(roundTrip(data)), name).toBe(true);
    }
  });

  it('compresses repetition (matches, not only literals)', () => {
    expect(zlibDeflate(new Uint8Array(100_000)).length).toBeLessThan(1_000);
    const rows = Uint8Array.from({ length: 64 * 1024 }, (_, i) => (i % 1024) & 0xff);
    expect(zlibDeflate(rows).length).toBeLessThan(2_000);
  });

  it('writes a valid zlib header and the Adler-32 trailer', () => {
    const data = new TextEncoder().encode('Wikipedia');
    const stream = zlibDeflate(data);
    expect(((stream[0]! << 8) | stream[1]!) % 31).toBe(0);
    expect(stream[0]! & 0x0f).toBe(8); // deflate
    expect(Buffer.from(stream).readUInt32BE(stream.length - 4)).toBe(0x11e60398);
  });
});

describe('adler32', () => {
  it('matches the reference values, including past the 5552-byte reduction step', () => {
    expect(adler32(new Uint8Array(0))).toBe(1);
    expect(adler32(new TextEncoder().encode('Wikipedia'))).toBe(0x11e60398);
    // node:zlib checks the trailer when it inflates, so a wrong sum over many chunks throws
    const big = new Uint8Array(100_000).fill(0xff);
    const stream = zlibDeflate(big);
    expect(() => inflateSync(stream)).not.toThrow(); // inflate verifies the trailer
    expect(adler32(big)).toBe(Buffer.from(stream).readUInt32BE(stream.length - 4));
  });
});
