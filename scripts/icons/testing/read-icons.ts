// Readers for the tests, written independently of the encoders: node:zlib inflates and checks
// CRCs, so a bug in our deflate, CRC or filters cannot cancel itself out on the way back.
import { crc32, inflateSync } from 'node:zlib';
import type { RgbaImage } from '../png.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Decodes an 8-bit RGBA, non-interlaced PNG; throws on anything else or on a bad CRC. */
export function decodePng(file: Uint8Array): RgbaImage {
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (!bytes.subarray(0, 8).equals(SIGNATURE)) throw new Error('bad PNG signature');
  const chunks: { type: string; data: Buffer }[] = [];
  let offset = 8;
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== bytes.readUInt32BE(offset + 8 + length)) throw new Error(`bad CRC in ${type}`);
    chunks.push({ type, data });
    offset += 12 + length;
  }
  if (offset !== bytes.length) throw new Error('PNG ends inside a chunk');
  const [header, ...rest] = chunks;
  if (header?.type !== 'IHDR' || header.data.length !== 13) throw new Error('PNG must start with IHDR');
  if (rest.at(-1)?.type !== 'IEND') throw new Error('PNG must end with IEND');
  const width = header.data.readUInt32BE(0);
  const height = header.data.readUInt32BE(4);
  const [depth, colourType, compression, filter, interlace] = header.data.subarray(8);
  if (depth !== 8 || colourType !== 6 || compression !== 0 || filter !== 0 || interlace !== 0) throw new Error('only 8-bit RGBA, non-interlaced');

  const raw = inflateSync(Buffer.concat(rest.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  const stride = width * 4;
  if (raw.length !== height * (stride + 1)) throw new Error(`IDAT holds ${raw.length} bytes, expected ${height * (stride + 1)}`);
  const pixels = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const type = raw[y * (stride + 1)]!;
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i]!;
      const a = i >= 4 ? pixels[y * stride + i - 4]! : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + i]! : 0;
      const c = i >= 4 && y > 0 ? pixels[(y - 1) * stride + i - 4]! : 0;
      let predictor: number;
      if (type === 0) predictor = 0;
      else if (type === 1) predictor = a;
      else if (type === 2) predictor = b;
      else if (type === 3) predictor = Math.floor((a + b) / 2);
      else if (type === 4) {
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else throw new Error(`bad filter type ${type} on row ${y}`);
      pixels[y * stride + i] = (x + predictor) % 256;
    }
  }
  return { width, height, pixels };
}

/** One image in an .ico directory, with the sizes the directory declares. */
export interface IcoEntry {
  width: number;
  height: number;
  bitsPerPixel: number;
  data: Uint8Array;
}

/** Parses an .ico directory (little-endian; 0 means 256 px). */
export function readIco(file: Uint8Array): IcoEntry[] {
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (bytes.readUInt16LE(0) !== 0 || bytes.readUInt16LE(2) !== 1) throw new Error('not an icon file');
  const count = bytes.readUInt16LE(4);
  return Array.from({ length: count }, (_, index) => {
    const at = 6 + index * 16;
    const size = bytes.readUInt32LE(at + 8);
    const offset = bytes.readUInt32LE(at + 12);
    if (offset + size > bytes.length) throw new Error(`entry ${index} runs past the end of the file`);
    return {
      width: bytes[at] || 256,
      height: bytes[at + 1] || 256,
      bitsPerPixel: bytes.readUInt16LE(at + 6),
      data: bytes.subarray(offset, offset + size),
    };
  });
}

/** Parses an .icns file into its typed entries (big-endian lengths include the 8-byte header). */
export function readIcns(file: Uint8Array): { type: string; data: Uint8Array }[] {
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (bytes.toString('latin1', 0, 4) !== 'icns') throw new Error('not an icns file');
  if (bytes.readUInt32BE(4) !== bytes.length) throw new Error('icns length does not match the file');
  const entries: { type: string; data: Uint8Array }[] = [];
  for (let offset = 8; offset < bytes.length; ) {
    const length = bytes.readUInt32BE(offset + 4);
    if (length < 8 || offset + length > bytes.length) throw new Error(`bad icns entry length at ${offset}`);
    entries.push({ type: bytes.toString('latin1', offset, offset + 4), data: bytes.subarray(offset + 8, offset + length) });
    offset += length;
  }
  return entries;
}
