// THE one source of every icon: the QCC mark (app icon) and the tray's four state glyphs.
// Change a shape or colour here and run `npm run icons`; every PNG, ICO and ICNS follows.
//
// The states must read without colour — for colour-blind users, and because macOS template
// images are monochrome — so each has its own shape: a check on a disc (ok), "!" on a disc
// (degraded), "×" on a disc (all down), and a hollow ring with a dash (stopped / idle).
import { circle, hex, polyline, ring, roundedRect, segment, union, type Colour, type Layer, type Shape } from './raster.js';

/**
 * The tray states, in the order the generator writes them: the values of `TrayIcon` in
 * src-main/electron/tray-model.ts (lint keeps scripts from importing src-main/electron, so the
 * list is repeated here; the file names built from it are the contract with the shell).
 */
export const TRAY_STATES = ['green', 'amber', 'red', 'grey'] as const;

/** One tray state. */
export type TrayState = (typeof TRAY_STATES)[number];

/**
 * The dashboard's status colours — `--ok`, `--degraded`, `--down`, `--idle` of the light theme in
 * src-renderer/styles.css; icons.spec.ts fails if the two drift apart.
 */
export const STATE_COLOURS: Record<TrayState, Colour> = {
  green: hex('#1f9d55'),
  amber: hex('#d98a00'),
  red: hex('#d0342c'),
  grey: hex('#8a939e'),
};

/** The dashboard's `--accent` (light theme, src-renderer/styles.css): the app icon's ground. */
export const ACCENT = hex('#3b6fd8');

const WHITE = hex('#ffffff');
const BLACK = hex('#000000');

/** Colour for Linux and Windows trays; template = black + alpha for the macOS menu bar. */
export type TrayStyle = 'colour' | 'template';

// Tray glyphs are laid out on the 16 px grid they are mostly seen at (g(8) is the centre), with
// strokes two pixels wide so they stay crisp at 1x.
const g = (pixels: number): number => pixels / 16;
const STROKE = g(2.1);

const GLYPHS: Record<Exclude<TrayState, 'grey'>, Shape> = {
  green: polyline(
    [
      [g(4.4), g(8.3)],
      [g(6.9), g(10.8)],
      [g(11.6), g(5.6)],
    ],
    STROKE,
  ),
  amber: union(segment(g(8), g(4.2), g(8), g(7.9), STROKE), circle(g(8), g(11.3), g(1.2))),
  red: union(segment(g(5.4), g(5.4), g(10.6), g(10.6), STROKE), segment(g(10.6), g(5.4), g(5.4), g(10.6), STROKE)),
};

/** The layers of one tray icon. */
export function trayLayers(state: TrayState, style: TrayStyle): Layer[] {
  const ink = style === 'template' ? BLACK : STATE_COLOURS[state];
  if (state === 'grey') {
    // Hollow: "nothing is running" should look emptier than any working state.
    return [
      { shape: ring(g(8), g(8), g(6.4), g(1.9)), paint: { colour: ink } },
      { shape: segment(g(5.2), g(8), g(10.8), g(8), STROKE), paint: { colour: ink } },
    ];
  }
  // In colour the glyph is white so it reads on light and dark panels alike; a template cannot be
  // white, so there the glyph is cut out of the disc.
  return [
    { shape: circle(g(8), g(8), g(7.5)), paint: { colour: ink } },
    { shape: GLYPHS[state], paint: style === 'template' ? 'erase' : { colour: WHITE } },
  ];
}

// The app icon on a 1024 grid, inside Apple's 824 px rounded-square safe area so it sits with
// other Dock icons; Windows and Linux get the same picture.
const k = (pixels: number): number => pixels / 1024;

/**
 * The QCC mark: a white "Q" ring on the accent ground whose tail sweeps out to the right, and at
 * its centre a green status disc — the proxy, up and serving.
 */
export function appIconLayers(): Layer[] {
  const lighter: Colour = { r: ACCENT.r + 0.2 * (255 - ACCENT.r), g: ACCENT.g + 0.2 * (255 - ACCENT.g), b: ACCENT.b + 0.2 * (255 - ACCENT.b), a: 1 };
  const darker: Colour = { r: ACCENT.r * 0.78, g: ACCENT.g * 0.78, b: ACCENT.b * 0.78, a: 1 };
  return [
    { shape: roundedRect(k(100), k(100), k(924), k(924), k(185)), paint: { gradient: { top: lighter, bottom: darker } } },
    { shape: ring(k(500), k(500), k(236), k(112)), paint: { colour: WHITE } },
    { shape: segment(k(610), k(610), k(770), k(770), k(112)), paint: { colour: WHITE } },
    { shape: circle(k(500), k(500), k(104)), paint: { colour: STATE_COLOURS.green } },
  ];
}
