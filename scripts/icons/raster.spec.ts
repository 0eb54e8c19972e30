import { describe, expect, it } from 'vitest';
import { circle, hex, rasterize, ring, roundedRect, segment, type Colour } from './raster.js';

const RED = hex('#ff0000');
const BLUE = hex('#0000ff');
const pixel = (image: { width: number; pixels: Uint8Array }, x: number, y: number): number[] =>
  Array.from(image.pixels.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4));
const alphaSum = (pixels: Uint8Array): number => pixels.filter((_, i) => i % 4 === 3).reduce((sum, a) => sum + a / 255, 0);

describe('rasterize', () => {
  it('fills a disc: opaque inside, transparent outside, with the area of πr²', () => {
    const image = rasterize(64, [{ shape: circle(0.5, 0.5, 0.375), paint: { colour: RED } }]);
    expect(pixel(image, 32, 32)).toEqual([255, 0, 0, 255]);
    expect(pixel(image, 0, 0)).toEqual([0, 0, 0, 0]);
    const expectedArea = Math.PI * (0.375 * 64) ** 2;
    expect(Math.abs(alphaSum(image.pixels) - expectedArea) / expectedArea).toBeLessThan(0.005);
  });

  it('anti-aliases edges with partial alpha, keeping the colour', () => {
    const image = rasterize(16, [{ shape: circle(0.5, 0.5, 0.4), paint: { colour: RED } }]);
    const edge = [];
    for (let i = 0; i < 16 * 16; i++) if (image.pixels[i * 4 + 3]! > 0 && image.pixels[i * 4 + 3]! < 255) edge.push(pixel(image, i % 16, Math.floor(i / 16)));
    expect(edge.length).toBeGreaterThan(10);
    expect(edge.every(([r, g, b]) => r === 255 && g === 0 && b === 0)).toBe(true);
  });

  it('paints later layers over earlier ones and erases where asked', () => {
    const image = rasterize(32, [
      { shape: roundedRect(0, 0, 1, 1, 0), paint: { colour: RED } },
      { shape: circle(0.5, 0.5, 0.25), paint: { colour: BLUE } },
      { shape: circle(0.5, 0.5, 0.1), paint: 'erase' },
    ]);
    expect(pixel(image, 1, 1)).toEqual([255, 0, 0, 255]);
    expect(pixel(image, 16, 10)).toEqual([0, 0, 255, 255]);
    expect(pixel(image, 16, 16)).toEqual([0, 0, 0, 0]);
  });

  it('blends a translucent colour over what is below', () => {
    const halfBlue: Colour = { ...BLUE, a: 0.5 };
    const image = rasterize(8, [
      { shape: roundedRect(0, 0, 1, 1, 0), paint: { colour: RED } },
      { shape: roundedRect(0, 0, 1, 1, 0), paint: { colour: halfBlue } },
    ]);
    expect(pixel(image, 4, 4)).toEqual([128, 0, 128, 255]);
  });

  it('draws rings hollow, strokes along their segment and rounded corners empty', () => {
    const ringImage = rasterize(32, [{ shape: ring(0.5, 0.5, 0.4, 0.1), paint: { colour: RED } }]);
    expect(pixel(ringImage, 16, 16)[3]).toBe(0);
    expect(pixel(ringImage, 16, 3)[3]).toBe(255);
    const stroke = rasterize(32, [{ shape: segment(0.1, 0.5, 0.9, 0.5, 0.125), paint: { colour: RED } }]);
    expect(pixel(stroke, 16, 16)[3]).toBe(255);
    expect(pixel(stroke, 16, 8)[3]).toBe(0);
    const rounded = rasterize(32, [{ shape: roundedRect(0, 0, 1, 1, 0.25), paint: { colour: RED } }]);
    expect(pixel(rounded, 0, 0)[3]).toBe(0);
    expect(pixel(rounded, 16, 0)[3]).toBe(255);
  });

  it('runs a vertical gradient from the top of the square to its bottom', () => {
    const image = rasterize(64, [{ shape: roundedRect(0, 0, 1, 1, 0), paint: { gradient: { top: RED, bottom: BLUE } } }]);
    const [rTop, , bTop] = pixel(image, 32, 0);
    const [rBottom, , bBottom] = pixel(image, 32, 63);
    expect(rTop).toBeGreaterThan(250);
    expect(bTop).toBeLessThan(5);
    expect(rBottom).toBeLessThan(5);
    expect(bBottom).toBeGreaterThan(250);
  });
});

describe('hex', () => {
  it('parses #rrggbb and rejects anything else', () => {
    expect(hex('#1F9d55')).toEqual({ r: 0x1f, g: 0x9d, b: 0x55, a: 1 });
    expect(() => hex('1f9d55')).toThrow(/#rrggbb/);
  });
});
