// A tiny anti-aliased rasteriser: shapes are signed distance functions in a unit square
// (0,0 top-left, 1,1 bottom-right; negative inside), painted in order onto an RGBA canvas.
// Each pixel averages n×n sub-samples, each of which box-filters its own distance, so edges are
// smooth at 16 px and exact for the 1024 px app icon. Only + − × ÷ and √ are used: they are
// exactly rounded in IEEE arithmetic, so the same design gives the same bytes everywhere.
import type { RgbaImage } from './png.js';

/** Signed distance from (x, y) to a shape's edge, in unit-square units; negative inside. */
export type Shape = (x: number, y: number) => number;

/** A straight-alpha colour: r, g, b in 0–255, a in 0–1. */
export interface Colour {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** What a layer does where its shape covers: paint a colour, a vertical gradient (top of the unit square to its bottom), or erase. */
export type Paint = { colour: Colour } | { gradient: { top: Colour; bottom: Colour } } | 'erase';

/** One drawing step. */
export interface Layer {
  shape: Shape;
  paint: Paint;
}

/** Parses `#rrggbb` as an opaque colour. */
export function hex(value: string): Colour {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(value);
  if (!match) throw new Error(`Expected a #rrggbb colour, got ${value}`);
  return { r: parseInt(match[1]!, 16), g: parseInt(match[2]!, 16), b: parseInt(match[3]!, 16), a: 1 };
}

/** A disc of radius `r` centred on (cx, cy). */
export function circle(cx: number, cy: number, r: number): Shape {
  return (x, y) => Math.sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy)) - r;
}

/** A ring: the circle of radius `r` stroked `width` wide. */
export function ring(cx: number, cy: number, r: number, width: number): Shape {
  const disc = circle(cx, cy, r);
  return (x, y) => Math.abs(disc(x, y)) - width / 2;
}

/** A straight stroke from (x1, y1) to (x2, y2), `width` wide, with round caps. */
export function segment(x1: number, y1: number, x2: number, y2: number, width: number): Shape {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const lengthSquared = dx * dx + dy * dy;
  return (x, y) => {
    const t = lengthSquared === 0 ? 0 : Math.min(1, Math.max(0, ((x - x1) * dx + (y - y1) * dy) / lengthSquared));
    const px = x - (x1 + t * dx);
    const py = y - (y1 + t * dy);
    return Math.sqrt(px * px + py * py) - width / 2;
  };
}

/** A polyline through `points`, `width` wide, with round joins and caps. */
export function polyline(points: readonly (readonly [number, number])[], width: number): Shape {
  const parts = points.slice(1).map(([x, y], i) => segment(points[i]![0], points[i]![1], x, y, width));
  return union(...parts);
}

/** An axis-aligned rectangle with corners rounded to `radius`. */
export function roundedRect(left: number, top: number, right: number, bottom: number, radius: number): Shape {
  const cx = (left + right) / 2;
  const cy = (top + bottom) / 2;
  const halfWidth = (right - left) / 2 - radius;
  const halfHeight = (bottom - top) / 2 - radius;
  return (x, y) => {
    const qx = Math.abs(x - cx) - halfWidth;
    const qy = Math.abs(y - cy) - halfHeight;
    const ox = Math.max(qx, 0);
    const oy = Math.max(qy, 0);
    return Math.sqrt(ox * ox + oy * oy) + Math.min(Math.max(qx, qy), 0) - radius;
  };
}

/** Everything any of `shapes` covers. */
export function union(...shapes: Shape[]): Shape {
  return (x, y) => shapes.reduce((nearest, shape) => Math.min(nearest, shape(x, y)), Infinity);
}

function colourAt(paint: Exclude<Paint, 'erase'>, y: number): Colour {
  if ('colour' in paint) return paint.colour;
  const { top, bottom } = paint.gradient;
  const t = Math.min(1, Math.max(0, y));
  return { r: top.r + (bottom.r - top.r) * t, g: top.g + (bottom.g - top.g) * t, b: top.b + (bottom.b - top.b) * t, a: top.a + (bottom.a - top.a) * t };
}

/** Renders `layers` onto a transparent size×size canvas with `samples`² sub-samples per pixel. */
export function rasterize(size: number, layers: readonly Layer[], samples = 4): RgbaImage {
  // Premultiplied floats while compositing; straight bytes only at the end.
  const canvas = new Float64Array(size * size * 4);
  const step = 1 / (size * samples);
  const subSamples = samples * samples;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const at = (py * size + px) * 4;
      for (const { shape, paint } of layers) {
        let coverage = 0;
        for (let sy = 0; sy < samples; sy++) {
          for (let sx = 0; sx < samples; sx++) {
            const distance = shape((px * samples + sx + 0.5) * step, (py * samples + sy + 0.5) * step);
            coverage += Math.min(1, Math.max(0, 0.5 - distance / step));
          }
        }
        coverage /= subSamples;
        if (coverage === 0) continue;
        if (paint === 'erase') {
          for (let c = 0; c < 4; c++) canvas[at + c]! *= 1 - coverage;
          continue;
        }
        const colour = colourAt(paint, (py + 0.5) / size);
        const alpha = colour.a * coverage;
        canvas[at] = colour.r * alpha + canvas[at]! * (1 - alpha);
        canvas[at + 1] = colour.g * alpha + canvas[at + 1]! * (1 - alpha);
        canvas[at + 2] = colour.b * alpha + canvas[at + 2]! * (1 - alpha);
        canvas[at + 3] = alpha + canvas[at + 3]! * (1 - alpha);
      }
    }
  }
  const pixels = new Uint8Array(size * size * 4);
  for (let at = 0; at < pixels.length; at += 4) {
    const alpha = canvas[at + 3]!;
    const a = Math.round(alpha * 255);
    if (a === 0) continue; // fully transparent pixels are 0,0,0,0: no stray colour under zero alpha
    for (let c = 0; c < 3; c++) pixels[at + c] = Math.min(255, Math.max(0, Math.round(canvas[at + c]! / alpha)));
    pixels[at + 3] = a;
  }
  return { width: size, height: size, pixels };
}
