// The generated icon set: the file contract, what each icon looks like, and that assets/ on
// disk is exactly what the generator writes (a stale or hand-edited icon fails the suite).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATE_COLOURS, TRAY_STATES, type TrayState } from './design.js';
import { buildIconSet, type IconSet } from './icon-set.js';
import type { RgbaImage } from './png.js';
import { findStaleAssets } from './stale-assets.js';
import { decodePng, readIcns, readIco } from './testing/read-icons.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const assetsDir = join(repo, 'assets');

let icons: IconSet;
beforeAll(() => {
  icons = buildIconSet();
});

const file = (path: string): Uint8Array => {
  const bytes = icons.get(path);
  if (!bytes) throw new Error(`not generated: ${path}`);
  return bytes;
};
const image = (path: string): RgbaImage => decodePng(file(path));
const alphaMask = ({ pixels }: RgbaImage): number[] => Array.from(pixels.filter((_, i) => i % 4 === 3));
// Near-white pixels: the glyph on the coloured disc, the part a colour-blind user reads.
const whiteMask = ({ pixels }: RgbaImage): number[] =>
  Array.from({ length: pixels.length / 4 }, (_, i) => (Math.min(pixels[i * 4]!, pixels[i * 4 + 1]!, pixels[i * 4 + 2]!) >= 200 ? pixels[i * 4 + 3]! : 0));
const difference = (a: number[], b: number[]): number => a.reduce((sum, value, i) => sum + Math.abs(value - b[i]!), 0) / 255;
const toHex = (r: number, g: number, b: number): string => `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;

function dominantOpaqueColour({ pixels }: RgbaImage): string {
  const counts = new Map<string, number>();
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i + 3] !== 255) continue;
    const colour = toHex(pixels[i]!, pixels[i + 1]!, pixels[i + 2]!);
    counts.set(colour, (counts.get(colour) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}

describe('the icon set', () => {
  it('has exactly the files the desktop shell and electron-builder expect', () => {
    const tray = TRAY_STATES.flatMap((s) => [`tray-${s}.png`, `tray-${s}@2x.png`, `tray-${s}.ico`, `tray-${s}Template.png`, `tray-${s}Template@2x.png`]);
    const expected = [
      ...tray.map((name) => `tray/${name}`),
      'icon.png',
      'icon.ico',
      'icon.icns',
      ...[16, 32, 48, 64, 128, 256, 512].map((n) => `icons/${n}x${n}.png`),
    ];
    expect([...icons.keys()].sort()).toEqual(expected.sort());
  });

  it('uses the dashboard status colours from src-renderer/styles.css', () => {
    const css = readFileSync(join(repo, 'src-renderer/styles.css'), 'utf8');
    const variable = (name: string): string => new RegExp(`--${name}:\\s*(#[0-9a-f]{6})`, 'i').exec(css)![1]!.toLowerCase();
    const fromCss: Record<TrayState, string> = { green: variable('ok'), amber: variable('degraded'), red: variable('down'), grey: variable('idle') };
    for (const state of TRAY_STATES) {
      const { r, g, b } = STATE_COLOURS[state];
      expect([state, toHex(r, g, b)]).toEqual([state, fromCss[state]]);
    }
  });
});

describe('tray icons', () => {
  it('are 16 px at 1x and 32 px at 2x, in colour and as templates', () => {
    for (const state of TRAY_STATES) {
      for (const [suffix, size] of [
        ['', 16],
        ['@2x', 32],
        ['Template', 16],
        ['Template@2x', 32],
      ] as const) {
        const { width, height } = image(`tray/tray-${state}${suffix}.png`);
        expect([state + suffix, width, height]).toEqual([state + suffix, size, size]);
      }
    }
  });

  it("are mostly their state's colour", () => {
    for (const state of TRAY_STATES) {
      const { r, g, b } = STATE_COLOURS[state];
      for (const suffix of ['', '@2x']) expect([state + suffix, dominantOpaqueColour(image(`tray/tray-${state}${suffix}.png`))]).toEqual([state + suffix, toHex(r, g, b)]);
    }
  });

  it('as templates are black, with shape only in the alpha channel', () => {
    for (const state of TRAY_STATES) {
      for (const suffix of ['Template', 'Template@2x']) {
        const { pixels } = image(`tray/tray-${state}${suffix}.png`);
        const colours = pixels.filter((_, i) => i % 4 !== 3);
        expect([state + suffix, colours.some((v) => v !== 0)]).toEqual([state + suffix, false]);
        const alphas = new Set(alphaMask(image(`tray/tray-${state}${suffix}.png`)));
        expect(alphas.has(0) && alphas.has(255) && alphas.size > 2).toBe(true); // shaped and anti-aliased
      }
    }
  });

  it('differ in shape, not only in colour', () => {
    for (const [i, a] of TRAY_STATES.entries()) {
      for (const b of TRAY_STATES.slice(i + 1)) {
        for (const suffix of ['Template', 'Template@2x']) {
          const moved = difference(alphaMask(image(`tray/tray-${a}${suffix}.png`)), alphaMask(image(`tray/tray-${b}${suffix}.png`)));
          const pixels = suffix === 'Template' ? 256 : 1024;
          // at least 8 % of the icon's pixels change between any two states
          expect([a, b, suffix, moved > 0.08 * pixels]).toEqual([a, b, suffix, true]);
        }
        // In colour too, shapes must differ once the hue is ignored: the white glyph or the outline.
        const colourA = image(`tray/tray-${a}.png`);
        const colourB = image(`tray/tray-${b}.png`);
        const shapeChange = difference(whiteMask(colourA), whiteMask(colourB)) + difference(alphaMask(colourA), alphaMask(colourB));
        expect([a, b, shapeChange > 0.08 * 256]).toEqual([a, b, true]);
      }
    }
  });

  it('draw the same shape at 1x and 2x', () => {
    for (const state of TRAY_STATES) {
      const small = alphaMask(image(`tray/tray-${state}Template.png`));
      const large = alphaMask(image(`tray/tray-${state}Template@2x.png`));
      const downsampled = small.map((_, i) => {
        const [x, y] = [(i % 16) * 2, Math.floor(i / 16) * 2];
        return (large[y * 32 + x]! + large[y * 32 + x + 1]! + large[(y + 1) * 32 + x]! + large[(y + 1) * 32 + x + 1]!) / 4;
      });
      expect(difference(small, downsampled) / 256).toBeLessThan(0.05); // mean alpha error under 5 %
    }
  });

  it('for Windows hold 16–48 px PNG entries, whose 16 and 32 px are the PNG files', () => {
    for (const state of TRAY_STATES) {
      const entries = readIco(file(`tray/tray-${state}.ico`));
      expect(entries.map((entry) => entry.width)).toEqual([16, 20, 24, 32, 40, 48]);
      for (const entry of entries) {
        const decoded = decodePng(entry.data);
        expect([decoded.width, decoded.height]).toEqual([entry.width, entry.height]);
      }
      expect(Buffer.from(entries[0]!.data).equals(Buffer.from(file(`tray/tray-${state}.png`)))).toBe(true);
      expect(Buffer.from(entries[3]!.data).equals(Buffer.from(file(`tray/tray-${state}@2x.png`)))).toBe(true);
    }
  });
});

describe('app icons', () => {
  it('icon.png is 1024 px: accent ground, a white Q, a green status disc, transparent corners', () => {
    const icon = image('icon.png');
    expect([icon.width, icon.height]).toEqual([1024, 1024]);
    const at = (x: number, y: number): string => {
      const i = (y * 1024 + x) * 4;
      return icon.pixels[i + 3] === 255 ? toHex(icon.pixels[i]!, icon.pixels[i + 1]!, icon.pixels[i + 2]!) : `alpha ${icon.pixels[i + 3]}`;
    };
    const { r, g, b } = STATE_COLOURS.green;
    expect(at(500, 500)).toBe(toHex(r, g, b));
    expect(at(264, 500)).toBe('#ffffff');
    expect(at(10, 10)).toBe('alpha 0');
    expect(at(150, 512)).toMatch(/^#[0-9a-f]{6}$/); // the ground is opaque
    expect(at(150, 512)).not.toBe('#ffffff');
  });

  it('icon.ico holds 16–256 px PNG entries', () => {
    const entries = readIco(file('icon.ico'));
    expect(entries.map((entry) => entry.width)).toEqual([16, 24, 32, 48, 64, 128, 256]);
    for (const entry of entries) expect(decodePng(entry.data).width).toBe(entry.width);
  });

  it('icon.icns holds 32–1024 px PNG entries of the declared sizes', () => {
    const sizes: Record<string, number> = { ic11: 32, ic12: 64, ic07: 128, ic13: 256, ic08: 256, ic14: 512, ic09: 512, ic10: 1024 };
    const entries = readIcns(file('icon.icns'));
    expect(entries.map((entry) => entry.type).sort()).toEqual(Object.keys(sizes).sort());
    for (const { type, data } of entries) expect([type, decodePng(data).width]).toEqual([type, sizes[type]]);
    const ic10 = entries.find((entry) => entry.type === 'ic10')!;
    expect(Buffer.from(ic10.data).equals(Buffer.from(file('icon.png')))).toBe(true);
  });

  it('the Linux set is named {n}x{n}.png and each is n px', () => {
    for (const n of [16, 32, 48, 64, 128, 256, 512]) expect(image(`icons/${n}x${n}.png`).width).toBe(n);
  });
});

describe('assets/ on disk', () => {
  it('is byte for byte what the generator writes (run `npm run icons` after changing scripts/icons)', () => {
    const differing = [...icons].filter(([path, bytes]) => {
      try {
        return !readFileSync(join(assetsDir, path)).equals(Buffer.from(bytes));
      } catch {
        return true;
      }
    });
    expect(differing.map(([path]) => path)).toEqual([]);
  });

  it('holds no icon files the generator does not write', () => {
    const walk = (dir: string): string[] => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));
    const onDisk = walk(assetsDir).map((path) => relative(assetsDir, path).split('\\').join('/'));
    expect(onDisk.filter((path) => path !== 'README.md' && !icons.has(path))).toEqual([]);
  });
});

describe('stale asset detection', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'qcc-icons-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]): { status: number | null; output: string } => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'scripts/generate-icons.ts'), '--out', dir, ...args], { cwd: repo, encoding: 'utf8' });
    return { status: result.status, output: result.stdout + result.stderr };
  };

  it('the generator writes the set, `--check` passes, then names a changed, a missing and a stray file', () => {
    const first = run();
    expect(first.status).toBe(0);
    expect(findStaleAssets(dir, icons)).toEqual([]);
    expect(run('--check').status).toBe(0);

    writeFileSync(join(dir, 'tray', 'tray-red.png'), 'not a png');
    rmSync(join(dir, 'icon.icns'));
    writeFileSync(join(dir, 'icons', '1000x1000.png'), '');
    expect(findStaleAssets(dir, icons)).toEqual([
      { path: 'tray/tray-red.png', problem: 'differs' },
      { path: 'icon.icns', problem: 'missing' },
      { path: 'icons/1000x1000.png', problem: 'not generated' },
    ]);
    const check = run('--check');
    expect(check.status).toBe(1);
    expect(check.output).toMatch(/differs\s+\S*tray-red\.png/);
    expect(check.output).toMatch(/missing\s+\S*icon\.icns/);
    expect(check.output).toMatch(/not generated\s+\S*1000x1000\.png/);

    expect(run().status).toBe(0); // regenerating repairs all three
    expect(findStaleAssets(dir, icons)).toEqual([]);
  });
});
