import { crc32 as zlibCrc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, encodePng, pngSize, type RgbaImage } from './png.js';
import { decodePng } from './testing/read-icons.js';

// Rows that favour different filters: flat, horizontal ramp, vertical ramp, noise.
function mixedImage(width: number, height: number): RgbaImage {
  const pixels = new Uint8Array(width * height * 4);
  let state = 12345;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 4;
      const band = Math.floor(y / (height / 4));
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      const value = band === 0 ? 200 : band === 1 ? x * 3 : band === 2 ? y * 5 : state >>> 24;
      pixels.set([value & 0xff, (value * 7) & 0xff, 255 - (value & 0xff), band === 3 ? (state >>> 16) & 0xff : 255], at);
    }
  }
  return { width, height, pixels };
}

describe('encodePng', () => {
  it('round-trips pixels through an independent decoder (inflate, CRC check, unfilter)', () => {
    for (const [width, height] of [
      [1, 1],
      [5, 3],
      [64, 48],
    ] as const) {
      const image = mixedImage(width, height);
      const decoded = decodePng(encodePng(image));
      expect(decoded.width).toBe(width);
      expect(decoded.height).toBe(height);
      expect(Buffer.from(decoded.pixels).equals(Buffer.from(image.pixels))).toBe(true);
    }
  });

  it('chooses filters per row rather than one for the whole image', () => {
    const png = Buffer.from(encodePng(mixedImage(64, 48)));
    const idatLength = png.readUInt32BE(33 + 0);
    expect(png.toString('latin1', 37, 41)).toBe('IDAT');
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    const filters = new Set(Array.from({ length: 48 }, (_, y) => raw[y * (64 * 4 + 1)]));
    expect(filters.size).toBeGreaterThanOrEqual(2);
  });

  it('declares 8-bit RGBA and the size in IHDR', () => {
    const png = encodePng(mixedImage(7, 9));
    expect(pngSize(png)).toEqual({ width: 7, height: 9 });
    expect(Array.from(png.subarray(24, 29))).toEqual([8, 6, 0, 0, 0]);
  });

  it('rejects pixel buffers of the wrong length', () => {
    expect(() => encodePng({ width: 2, height: 2, pixels: new Uint8Array(15) })).toThrow(/16 bytes/);
  });
});

describe('crc32', () => {
  it('is the PNG / zlib CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const bytes = mixedImage(16, 16).pixels;
    expect(crc32(bytes)).toBe(zlibCrc32(bytes));
  });
});

describe('pngSize', () => {
  it('refuses data that is not a PNG', () => {
    expect(() => pngSize(new Uint8Array(40))).toThrow(/Not a PNG/);
  });
});
