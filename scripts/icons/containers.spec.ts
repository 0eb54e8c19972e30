import { describe, expect, it } from 'vitest';
import { encodeIcns, ICNS_TYPES } from './icns.js';
import { encodeIco } from './ico.js';
import { encodePng } from './png.js';
import { circle, hex, rasterize } from './raster.js';
import { decodePng, readIcns, readIco } from './testing/read-icons.js';

const png = (size: number): Uint8Array => encodePng(rasterize(size, [{ shape: circle(0.5, 0.5, 0.4), paint: { colour: hex('#3b6fd8') } }], 1));

describe('encodeIco', () => {
  it('writes a directory of PNG entries, smallest first, with 256 px stored as 0', () => {
    const inputs = [48, 16, 256].map(png);
    const file = encodeIco(inputs);
    expect(file[6 + 2 * 16]).toBe(0); // the 256 px entry's width byte
    const entries = readIco(file);
    expect(entries.map((entry) => [entry.width, entry.height, entry.bitsPerPixel])).toEqual([
      [16, 16, 32],
      [48, 48, 32],
      [256, 256, 32],
    ]);
    const [of48, of16, of256] = inputs.map((bytes) => Buffer.from(bytes));
    expect(entries.map((entry) => Buffer.from(entry.data))).toEqual([of16, of48, of256]);
    for (const entry of entries) expect(decodePng(entry.data).width).toBe(entry.width);
  });

  it('refuses entries Windows cannot hold', () => {
    expect(() => encodeIco([png(512)])).toThrow(/1–256 px/);
    expect(() => encodeIco([encodePng({ width: 2, height: 1, pixels: new Uint8Array(8) })])).toThrow(/square/);
  });
});

describe('encodeIcns', () => {
  it('writes every PNG type with the size its OSType stands for', () => {
    const entries = readIcns(encodeIcns(png));
    expect(entries.map((entry) => entry.type)).toEqual(['ic11', 'ic12', 'ic07', 'ic13', 'ic08', 'ic14', 'ic09', 'ic10']);
    const pixels = { ic11: 32, ic12: 64, ic07: 128, ic13: 256, ic08: 256, ic14: 512, ic09: 512, ic10: 1024 } as Record<string, number>;
    for (const { type, data } of entries) {
      const image = decodePng(data);
      expect([type, image.width, image.height]).toEqual([type, pixels[type], pixels[type]]);
    }
    expect(ICNS_TYPES).toHaveLength(8);
  });

  it('refuses a PNG of the wrong size for its type', () => {
    expect(() => encodeIcns(() => png(16))).toThrow(/ic11 needs a 32×32 PNG/);
  });
});
