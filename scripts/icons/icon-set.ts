// Every generated file under assets/, built in memory from design.ts. The paths are a contract:
// the desktop shell loads the tray files by name and electron-builder the app icons.
import { appIconLayers, TRAY_STATES, trayLayers, type TrayState, type TrayStyle } from './design.js';
import { encodeIcns } from './icns.js';
import { encodeIco } from './ico.js';
import { encodePng } from './png.js';
import { rasterize, type Layer } from './raster.js';

/** Sizes in the Windows tray .ico: 100 %–300 % display scaling of the 16 px tray slot. */
export const TRAY_ICO_SIZES = [16, 20, 24, 32, 40, 48] as const;
/** Sizes in assets/icon.ico. */
export const APP_ICO_SIZES = [16, 24, 32, 48, 64, 128, 256] as const;
/** Sizes in assets/icons/, electron-builder's Linux icon set (`{n}x{n}.png`). */
export const LINUX_ICON_SIZES = [16, 32, 48, 64, 128, 256, 512] as const;
/** The single large app icon, assets/icon.png. */
export const APP_ICON_SIZE = 1024;

/** Generated files keyed by their path relative to assets/ (always with `/`). */
export type IconSet = Map<string, Uint8Array>;

// Small sizes need more sub-samples for smooth edges; large ones are smooth already and slow.
const samplesFor = (size: number): number => (size >= 512 ? 3 : 4);

function pngRenderer(layers: Layer[]): (size: number) => Uint8Array {
  const cache = new Map<number, Uint8Array>();
  return (size) => {
    let png = cache.get(size);
    if (!png) {
      png = encodePng(rasterize(size, layers, samplesFor(size)));
      cache.set(size, png);
    }
    return png;
  };
}

/** The path of a tray icon file, relative to assets/. */
export function trayIconPath(state: TrayState, variant: 'png' | 'png@2x' | 'ico' | 'template' | 'template@2x'): string {
  const file = {
    png: `tray-${state}.png`,
    'png@2x': `tray-${state}@2x.png`,
    ico: `tray-${state}.ico`,
    template: `tray-${state}Template.png`,
    'template@2x': `tray-${state}Template@2x.png`,
  }[variant];
  return `tray/${file}`;
}

/** Builds every generated asset in memory, in a stable order. */
export function buildIconSet(): IconSet {
  const files: IconSet = new Map();
  for (const state of TRAY_STATES) {
    const render = (style: TrayStyle): ((size: number) => Uint8Array) => pngRenderer(trayLayers(state, style));
    const colour = render('colour');
    const template = render('template');
    files.set(trayIconPath(state, 'png'), colour(16));
    files.set(trayIconPath(state, 'png@2x'), colour(32));
    files.set(trayIconPath(state, 'ico'), encodeIco(TRAY_ICO_SIZES.map(colour)));
    files.set(trayIconPath(state, 'template'), template(16));
    files.set(trayIconPath(state, 'template@2x'), template(32));
  }
  const app = pngRenderer(appIconLayers());
  files.set('icon.png', app(APP_ICON_SIZE));
  files.set('icon.ico', encodeIco(APP_ICO_SIZES.map(app)));
  files.set('icon.icns', encodeIcns(app));
  for (const size of LINUX_ICON_SIZES) files.set(`icons/${size}x${size}.png`, app(size));
  return files;
}
