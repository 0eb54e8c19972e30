// macOS .icns with PNG entries: the OSTypes macOS 10.7+ reads as PNG, keyed by pixel size.
import { pngSize } from './png.js';

/** The PNG-bearing icns types, in the order iconutil writes them, with their pixel sizes. */
export const ICNS_TYPES = [
  { type: 'ic11', pixels: 32 }, // 16 pt @2x
  { type: 'ic12', pixels: 64 }, // 32 pt @2x
  { type: 'ic07', pixels: 128 },
  { type: 'ic13', pixels: 256 }, // 128 pt @2x
  { type: 'ic08', pixels: 256 },
  { type: 'ic14', pixels: 512 }, // 256 pt @2x
  { type: 'ic09', pixels: 512 },
  { type: 'ic10', pixels: 1024 }, // 512 pt @2x
] as const;

const HEADER_BYTES = 8;

/** Builds an .icns file with every {@link ICNS_TYPES} entry, taking each PNG from `pngFor(pixels)`. */
export function encodeIcns(pngFor: (pixels: number) => Uint8Array): Uint8Array {
  const entries = ICNS_TYPES.map(({ type, pixels }) => {
    const png = pngFor(pixels);
    const { width, height } = pngSize(png);
    if (width !== pixels || height !== pixels) throw new Error(`icns ${type} needs a ${pixels}×${pixels} PNG, got ${width}×${height}`);
    return { type, png };
  });
  const total = HEADER_BYTES + entries.reduce((sum, entry) => sum + HEADER_BYTES + entry.png.length, 0);
  const file = new Uint8Array(total);
  const view = new DataView(file.buffer);
  const writeType = (at: number, type: string): void => {
    for (let i = 0; i < 4; i++) file[at + i] = type.charCodeAt(i);
  };
  writeType(0, 'icns');
  view.setUint32(4, total); // big-endian, header included
  let offset = HEADER_BYTES;
  for (const { type, png } of entries) {
    writeType(offset, type);
    view.setUint32(offset + 4, HEADER_BYTES + png.length);
    file.set(png, offset + HEADER_BYTES);
    offset += HEADER_BYTES + png.length;
  }
  return file;
}
