// `npm run build:desktop` (after the renderer's vite build): bundles the
// Electron main process and the preload with esbuild into dist/electron, so
// the packaged app ships two self-contained files and no node_modules.
// `buildDesktop({ watch: true })` keeps rebuilding for `npm run dev`.
import { build, context } from 'esbuild';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The bundles' entry points and the file names electron-builder.yml and package.json "main" rely on. */
export const DESKTOP_BUNDLES = {
  main: { entry: 'src-main/electron/main.ts', outfile: 'main.mjs' },
  preload: { entry: 'src-main/preload/preload.ts', outfile: 'preload.cjs' },
};

// Bundled CommonJS dependencies (undici, …) call require() for Node built-ins;
// an ES module has no require, so the bundle gets one. The import is aliased
// because esbuild cannot see banner text and would not rename a bundled
// module's own top-level `createRequire` away from it.
const REQUIRE_SHIM = "import { createRequire as __qccCreateRequire } from 'node:module'; const require = __qccCreateRequire(import.meta.url);";

function options(name, outDir, sourcemap) {
  const common = {
    absWorkingDir: ROOT,
    entryPoints: [DESKTOP_BUNDLES[name].entry],
    outfile: resolve(ROOT, outDir, DESKTOP_BUNDLES[name].outfile),
    bundle: true,
    platform: 'node',
    // Electron 45 ships Node 22.
    target: 'node22',
    external: ['electron'],
    sourcemap,
    logLevel: 'warning',
  };
  if (name === 'main') return { ...common, format: 'esm', banner: { js: REQUIRE_SHIM } };
  // A sandboxed preload may require only `electron`, so everything else is inlined.
  return { ...common, format: 'cjs' };
}

// One line per (re)build in watch mode; esbuild itself prints the errors.
function rebuildLogger(name, onRebuild, onBuilt) {
  return {
    name: 'qcc-rebuild-log',
    setup(pluginBuild) {
      let started = 0;
      pluginBuild.onStart(() => {
        started = performance.now();
      });
      pluginBuild.onEnd((result) => {
        const ms = Math.round(performance.now() - started);
        const errors = result.errors.length;
        const outcome = errors === 0 ? `built in ${ms} ms` : `failed with ${errors} error${errors === 1 ? '' : 's'}`;
        console.log(`[build-desktop] ${name}: ${outcome}`);
        onRebuild?.({ bundle: name, errors });
        onBuilt();
      });
    },
  };
}

/**
 * Bundles main → `<outDir>/main.mjs` and preload → `<outDir>/preload.cjs`.
 * With `watch: true` it resolves after the first build of both and keeps
 * rebuilding on change until `dispose()`; `onRebuild({ bundle, errors })`
 * hears every build. It never deletes `outDir`, so whatever else watches it
 * (the dev launcher restarting Electron) keeps working; esbuild's watcher
 * polls, so it does not compete for inotify watches either.
 */
export async function buildDesktop({ outDir = 'dist/electron', watch = false, sourcemap = true, onRebuild } = {}) {
  const names = ['main', 'preload'];
  const files = { main: resolve(ROOT, outDir, DESKTOP_BUNDLES.main.outfile), preload: resolve(ROOT, outDir, DESKTOP_BUNDLES.preload.outfile) };
  if (!watch) {
    await Promise.all(names.map((name) => build(options(name, outDir, sourcemap))));
    return { ...files, dispose: async () => {} };
  }
  const contexts = [];
  const dispose = async () => {
    await Promise.all(contexts.map((ctx) => ctx.dispose()));
  };
  const firstBuilds = names.map(async (name) => {
    let markBuilt = () => {};
    const built = new Promise((resolveBuilt) => {
      markBuilt = resolveBuilt;
    });
    const ctx = await context({ ...options(name, outDir, sourcemap), plugins: [rebuildLogger(name, onRebuild, () => markBuilt())] });
    contexts.push(ctx);
    await ctx.watch();
    await built;
  });
  try {
    await Promise.all(firstBuilds);
  } catch (error) {
    await dispose();
    throw error;
  }
  return { ...files, dispose };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const watch = process.argv.includes('--watch');
  const result = await buildDesktop({ watch });
  if (!watch) console.log(`[build-desktop] wrote ${result.main} and ${result.preload}`);
}
