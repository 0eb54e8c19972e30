// `npm run icons`: writes the tray and app icons into assets/ from scripts/icons/design.ts, the
// one source. `--check` writes nothing and exits 1 listing the files that differ from what it
// would write. `--out DIR` targets another folder (tests use a temp dir).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildIconSet } from './icons/icon-set.js';
import { findStaleAssets } from './icons/stale-assets.js';

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false }, out: { type: 'string' } } });
const assetsDir = values.out !== undefined ? resolve(values.out) : fileURLToPath(new URL('../assets/', import.meta.url));
const shown = (path: string): string => relative(process.cwd(), join(assetsDir, ...path.split('/'))) || '.';

const icons = buildIconSet();
const stale = findStaleAssets(assetsDir, icons);

if (values.check) {
  if (stale.length === 0) {
    console.log(`${icons.size} icon files in ${shown('')} match the generator.`);
  } else {
    for (const { path, problem } of stale) console.log(`${problem.padEnd(13)} ${shown(path)}`);
    console.log(`${stale.length} icon file(s) are stale; run \`npm run icons\` and commit the result.`);
    process.exitCode = 1;
  }
} else {
  const changed = new Set(stale.map((entry) => entry.path));
  let written = 0;
  for (const [path, bytes] of icons) {
    if (!changed.has(path)) continue; // leave identical files (and their mtimes) alone
    const file = join(assetsDir, ...path.split('/'));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, bytes);
    written++;
    console.log(`wrote     ${shown(path)} (${bytes.length} bytes)`);
  }
  for (const { path, problem } of stale) {
    if (problem !== 'not generated') continue;
    rmSync(join(assetsDir, ...path.split('/')));
    console.log(`removed   ${shown(path)} (no longer generated)`);
  }
  console.log(`${icons.size} icon files in ${shown('')}: ${written} written, ${icons.size - written} unchanged.`);
}
