// Compares assets/ on disk with what the generator would write, so a hand-edited or
// out-of-date icon is caught (by `--check` and by the test suite) instead of shipped.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IconSet } from './icon-set.js';

/** Folders under assets/ that hold generated files only: anything else in them is stale too. */
export const GENERATED_FOLDERS = ['tray', 'icons'] as const;

/** One file that does not match the generator. */
export interface StaleAsset {
  /** Relative to assets/, with `/`. */
  path: string;
  problem: 'missing' | 'differs' | 'not generated';
}

/** Lists every file under `assetsDir` that differs from `expected`, is missing, or should not be there. */
export function findStaleAssets(assetsDir: string, expected: IconSet): StaleAsset[] {
  const stale: StaleAsset[] = [];
  for (const [path, bytes] of expected) {
    const file = join(assetsDir, ...path.split('/'));
    if (!existsSync(file)) stale.push({ path, problem: 'missing' });
    else if (!Buffer.from(bytes).equals(readFileSync(file))) stale.push({ path, problem: 'differs' });
  }
  for (const folder of GENERATED_FOLDERS) {
    const dir = join(assetsDir, folder);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const path = `${folder}/${name}`;
      if (!expected.has(path)) stale.push({ path, problem: 'not generated' });
    }
  }
  return stale;
}
