// A small zlib stream encoder (RFC 1950 around RFC 1951): greedy LZ77 over hash chains,
// one fixed-Huffman block. Why not node:zlib's deflate: zlib promises a valid stream, not a
// particular one, and its bytes change with the zlib build Node bundles. The committed icons are
// checked byte for byte against the generator, so the encoder must give the same bytes on every
// machine and Node version. Only integer arithmetic, so it does.

const WINDOW = 32_768;
const MIN_MATCH = 3;
const MAX_MATCH = 258;
const HASH_BITS = 15;
// Enough for icon rows (long runs, repeated rows) while keeping the 4 MB app icon fast.
const MAX_CHAIN = 48;

const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];

function reverseBits(code: number, length: number): number {
  let reversed = 0;
  for (let i = 0; i < length; i++) reversed = (reversed << 1) | ((code >>> i) & 1);
  return reversed;
}

// The fixed literal/length code of RFC 1951 §3.2.6, bit-reversed because the writer is LSB-first.
const LITERAL_CODES = new Uint16Array(288);
const LITERAL_LENGTHS = new Uint8Array(288);
for (let symbol = 0; symbol < 288; symbol++) {
  const [code, length] =
    symbol < 144 ? [0x30 + symbol, 8] : symbol < 256 ? [0x190 + symbol - 144, 9] : symbol < 280 ? [symbol - 256, 7] : [0xc0 + symbol - 280, 8];
  LITERAL_CODES[symbol] = reverseBits(code, length);
  LITERAL_LENGTHS[symbol] = length;
}
const DIST_CODES = Uint16Array.from({ length: 30 }, (_, code) => reverseBits(code, 5));

const LENGTH_CODE = new Uint8Array(MAX_MATCH + 1);
for (let code = 0; code < LENGTH_BASE.length; code++) {
  const base = LENGTH_BASE[code]!;
  for (let length = base; length < base + (1 << LENGTH_EXTRA[code]!) && length <= MAX_MATCH; length++) LENGTH_CODE[length] = code;
}
LENGTH_CODE[MAX_MATCH] = 28;

function distanceCode(distance: number): number {
  let code = 0;
  while (code < 29 && DIST_BASE[code + 1]! <= distance) code++;
  return code;
}

class BitWriter {
  private bytes = new Uint8Array(1 << 16);
  private length = 0;
  private bitBuffer = 0;
  private bitCount = 0;

  write(value: number, count: number): void {
    this.bitBuffer |= value << this.bitCount;
    this.bitCount += count;
    while (this.bitCount >= 8) {
      this.pushByte(this.bitBuffer & 0xff);
      this.bitBuffer >>>= 8;
      this.bitCount -= 8;
    }
  }

  finish(): Uint8Array {
    if (this.bitCount > 0) this.pushByte(this.bitBuffer & 0xff);
    this.bitBuffer = 0;
    this.bitCount = 0;
    return this.bytes.slice(0, this.length);
  }

  pushByte(byte: number): void {
    if (this.length === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.length++] = byte;
  }
}

/** Adler-32 of `data` (RFC 1950), the zlib stream's trailer. */
export function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  // 5552 is the longest run before b can overflow 2^32 (the zlib constant NMAX).
  for (let start = 0; start < data.length; start += 5552) {
    const end = Math.min(start + 5552, data.length);
    for (let i = start; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function hashAt(data: Uint8Array, i: number): number {
  const key = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
  return Math.imul(key, 0x9e3779b1) >>> (32 - HASH_BITS);
}

/** Compresses `data` into a zlib stream; the same input always gives the same bytes. */
export function zlibDeflate(data: Uint8Array): Uint8Array {
  const out = new BitWriter();
  out.pushByte(0x78); // deflate, 32 KiB window
  out.pushByte(0x01); // no dictionary; 0x7801 is a multiple of 31 as the header check requires
  out.write(1, 1); // final block
  out.write(1, 2); // fixed Huffman codes

  const head = new Int32Array(1 << HASH_BITS).fill(-1);
  const previous = new Int32Array(data.length);
  const insert = (i: number): void => {
    if (i + MIN_MATCH > data.length) return;
    const hash = hashAt(data, i);
    previous[i] = head[hash]!;
    head[hash] = i;
  };

  let i = 0;
  while (i < data.length) {
    let bestLength = 0;
    let bestDistance = 0;
    if (i + MIN_MATCH <= data.length) {
      const limit = Math.min(MAX_MATCH, data.length - i);
      let candidate = head[hashAt(data, i)]!;
      for (let chain = 0; candidate >= 0 && i - candidate <= WINDOW && chain < MAX_CHAIN; chain++) {
        let length = 0;
        while (length < limit && data[candidate + length] === data[i + length]) length++;
        if (length > bestLength) {
          bestLength = length;
          bestDistance = i - candidate;
          if (length === limit) break;
        }
        candidate = previous[candidate]!;
      }
    }
    if (bestLength >= MIN_MATCH) {
      const lengthCode = LENGTH_CODE[bestLength]!;
      const symbol = 257 + lengthCode;
      out.write(LITERAL_CODES[symbol]!, LITERAL_LENGTHS[symbol]!);
      out.write(bestLength - LENGTH_BASE[lengthCode]!, LENGTH_EXTRA[lengthCode]!);
      const distCode = distanceCode(bestDistance);
      out.write(DIST_CODES[distCode]!, 5);
      out.write(bestDistance - DIST_BASE[distCode]!, DIST_EXTRA[distCode]!);
      for (let j = 0; j < bestLength; j++) insert(i + j);
      i += bestLength;
    } else {
      out.write(LITERAL_CODES[data[i]!]!, LITERAL_LENGTHS[data[i]!]!);
      insert(i);
      i++;
    }
  }
  out.write(LITERAL_CODES[256]!, LITERAL_LENGTHS[256]!); // end of block

  const deflated = out.finish();
  const adler = adler32(data);
  const stream = new Uint8Array(deflated.length + 4);
  stream.set(deflated);
  new DataView(stream.buffer).setUint32(deflated.length, adler);
  return stream;
}
