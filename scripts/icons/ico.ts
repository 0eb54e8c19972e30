// Windows .ico with PNG-compressed entries (supported since Windows Vista), one per size.
import { pngSize } from './png.js';

const HEADER_BYTES = 6;
const ENTRY_BYTES = 16;

/** Packs square PNGs (1–256 px) into an .ico file, smallest first as Windows tools write them. */
export function encodeIco(pngs: readonly Uint8Array[]): Uint8Array {
  const entries = pngs.map((png) => ({ png, ...pngSize(png) })).sort((a, b) => a.width - b.width);
  for (const { width, height } of entries) {
    if (width !== height || width < 1 || width > 256) throw new Error(`ICO entries must be square, 1–256 px; got ${width}×${height}`);
  }
  const total = HEADER_BYTES + ENTRY_BYTES * entries.length + entries.reduce((sum, entry) => sum + entry.png.length, 0);
  const file = new Uint8Array(total);
  const view = new DataView(file.buffer);
  view.setUint16(2, 1, true); // type 1: icon
  view.setUint16(4, entries.length, true);
  let dataOffset = HEADER_BYTES + ENTRY_BYTES * entries.length;
  entries.forEach(({ png, width, height }, index) => {
    const at = HEADER_BYTES + ENTRY_BYTES * index;
    file[at] = width & 0xff; // 256 is stored as 0
    file[at + 1] = height & 0xff;
    // colour count and reserved stay 0
    view.setUint16(at + 4, 1, true); // colour planes
    view.setUint16(at + 6, 32, true); // bits per pixel
    view.setUint32(at + 8, png.length, true);
    view.setUint32(at + 12, dataOffset, true);
    file.set(png, dataOffset);
    dataOffset += png.length;
  });
  return file;
}
