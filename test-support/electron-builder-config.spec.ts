import { extractFile, listPackage } from '@electron/asar';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import { build as esbuild, type Plugin } from 'esbuild';
import { Arch, build as electronBuilder, Platform, type Configuration } from 'electron-builder';
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// electron-builder has no validate-only mode; a config error would otherwise
// surface only on the release runners. These tests load electron-builder.yml
// the way electron-builder does and check it against its own JSON schema.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONFIG_FILE = 'electron-builder.yml';
// js-yaml ships without types; it is electron-builder's own YAML parser.
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown; dump(value: unknown): string };

const ARCHES = ['x64', 'arm64'];
const LINUX_ICON_SIZES = [16, 32, 48, 64, 128, 256, 512];

interface TargetEntry {
  target: string;
  arch: string[];
}

type Raw = Record<string, unknown>;

async function rawConfig(): Promise<Raw> {
  return yaml.load(await readFile(join(ROOT, CONFIG_FILE), 'utf8')) as Raw;
}

async function loadAndValidate(projectDir: string): Promise<Configuration> {
  const config = await getConfig(projectDir, CONFIG_FILE, null);
  await validateConfiguration(config, new DebugLogger(false));
  return config;
}

/** A temp project holding package.json and `config` as electron-builder.yml. */
async function projectWith(config: Raw): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'qcc-builder-config-'));
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'qcc', version: '0.0.0' }));
  await writeFile(join(dir, CONFIG_FILE), yaml.dump(config));
  return dir;
}

function targetsOf(platform: unknown): TargetEntry[] {
  return (platform as { target: TargetEntry[] }).target;
}

/** Every string value under a key named like `icon` / `installerIcon`, with its key path. */
function iconPaths(value: unknown, path: string[] = []): Array<[string, string]> {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]): Array<[string, string]> =>
    /icon$/i.test(key) && typeof child === 'string' ? [[[...path, key].join('.'), child]] : iconPaths(child, [...path, key]),
  );
}

function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema validation", async () => {
    const config = await loadAndValidate(ROOT);
    expect(config.appId).toBe('dev.qcc.desktop');
    expect(config.productName).toBe('QCC');
  });

  it('is rejected, naming the property, when it has an unknown option', async () => {
    const dir = await projectWith({ ...(await rawConfig()), notAnElectronBuilderOption: true });
    try {
      await expect(loadAndValidate(dir)).rejects.toThrow(/notAnElectronBuilderOption/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is rejected, naming the property, when an option has the wrong type', async () => {
    const raw = await rawConfig();
    const dir = await projectWith({ ...raw, nsis: { ...(raw.nsis as Raw), oneClick: 'sometimes' } });
    try {
      await expect(loadAndValidate(dir)).rejects.toThrow(/oneClick/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the app and writes installers to release/ with platform and arch in their names', async () => {
    const config = await loadAndValidate(ROOT);
    expect(config.directories?.output).toBe('release');
    expect(config.asar).toBe(true);
    expect(config.artifactName).toBe('${productName}-${version}-${os}-${arch}.${ext}');
  });

  it('builds dmg + zip for macOS, nsis for Windows, AppImage + deb for Linux, each for x64 and arm64', async () => {
    const config = await loadAndValidate(ROOT);
    const byTarget = (platform: unknown) => Object.fromEntries(targetsOf(platform).map((entry) => [entry.target, [...entry.arch].sort()]));
    const both = [...ARCHES].sort();
    expect(byTarget(config.mac)).toEqual({ dmg: both, zip: both });
    expect(byTarget(config.win)).toEqual({ nsis: both });
    expect(byTarget(config.linux)).toEqual({ AppImage: both, deb: both });
  });

  it('makes macOS a Dock-less tray app and gives each platform its installer metadata', async () => {
    const config = await loadAndValidate(ROOT);
    expect(config.mac?.category).toBe('public.app-category.developer-tools');
    expect(config.mac?.extendInfo).toMatchObject({ LSUIElement: true });
    expect(config.nsis).toMatchObject({ oneClick: false, allowToChangeInstallationDirectory: true });
    expect(config.linux?.category).toBe('Development');
    expect(config.linux?.maintainer).toMatch(/<[^@\s]+@[^>\s]+>/);
    expect(config.linux?.synopsis).toEqual(expect.any(String));
  });

  it('references icons that exist and are what their names say', async () => {
    const config = await loadAndValidate(ROOT);
    expect(config.mac?.icon).toBe('assets/icon.icns');
    expect(config.win?.icon).toBe('assets/icon.ico');
    expect(config.linux?.icon).toBe('assets/icons');

    const referenced = iconPaths(config);
    expect(referenced.length).toBeGreaterThanOrEqual(3);
    for (const [key, path] of referenced) expect(existsSync(join(ROOT, path)), `${key}: ${path}`).toBe(true);

    const icns = await readFile(join(ROOT, 'assets/icon.icns'));
    expect(icns.subarray(0, 4).toString('latin1')).toBe('icns');
    const ico = await readFile(join(ROOT, 'assets/icon.ico'));
    expect(ico.subarray(0, 4).toString('hex')).toBe('00000100');
    // electron-builder takes each Linux icon's size from its file name.
    expect(statSync(join(ROOT, 'assets/icons')).isDirectory()).toBe(true);
    for (const size of LINUX_ICON_SIZES) {
      const png = await readFile(join(ROOT, 'assets/icons', `${size}x${size}.png`));
      expect(pngSize(png), `${size}x${size}.png`).toEqual({ width: size, height: size });
    }
  });

  it('lists the bundles, renderer and assets as app files and keeps sources, maps and node_modules out', async () => {
    const files = (await rawConfig()).files as string[];
    expect(files).toEqual(expect.arrayContaining(['dist/electron/**', 'dist/renderer/**', 'assets/**', 'package.json', '!**/*.map', '!**/node_modules/**']));
    const inclusions = files.filter((pattern) => !pattern.startsWith('!'));
    expect(inclusions.sort()).toEqual(['assets/**', 'dist/electron/**', 'dist/renderer/**', 'package.json']);
  });
});

describe('electron-builder.yml, packed for real', () => {
  // electron-builder copies production node_modules on its own, outside the
  // `files` globs; only packing shows what ends up in app.asar. A stand-in
  // Electron distribution replaces the download this machine cannot make.
  let project: string;

  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'qcc-pack-'));
    const put = async (path: string, content: string) => {
      await mkdir(dirname(join(project, path)), { recursive: true });
      await writeFile(join(project, path), content);
    };
    await copyFile(join(ROOT, 'package.json'), join(project, 'package.json'));
    await copyFile(join(ROOT, 'package-lock.json'), join(project, 'package-lock.json'));
    await symlink(join(ROOT, 'node_modules'), join(project, 'node_modules'), 'junction');
    // Fuses patch the real Electron binary; the stand-in has none to patch.
    const { electronFuses: _fuses, ...config } = await rawConfig();
    await put(CONFIG_FILE, yaml.dump({ ...config, electronDist: join(project, 'fake-electron'), electronVersion: '45.0.0' }));
    await put('fake-electron/electron', '#!/bin/sh\n');
    await put('fake-electron/version', '45.0.0');
    for (const path of ['dist/electron/main.mjs', 'dist/electron/main.mjs.map', 'dist/electron/preload.cjs', 'dist/renderer/index.html', 'dist/renderer/index.js.map']) {
      await put(path, `// ${path}\n`);
    }
    await put('assets/tray/active.png', 'png');
    await put('src-main/electron/main.ts', 'export {};\n');
    await put('src-renderer/index.tsx', 'export {};\n');
    await electronBuilder({ projectDir: project, targets: Platform.LINUX.createTarget('dir', Arch.x64), publish: 'never' });
  }, 120_000);

  afterAll(async () => {
    if (project) await rm(project, { recursive: true, force: true });
  });

  it('puts exactly the bundles, the renderer, the assets and package.json into app.asar', () => {
    const asar = join(project, 'release/linux-unpacked/resources/app.asar');
    const files = listPackage(asar, { isPack: false })
      .map((path) => path.replace(/\\/g, '/').replace(/^\//, ''))
      .filter((path) => /\.\w+$/.test(path));
    expect(files.sort()).toEqual(['assets/tray/active.png', 'dist/electron/main.mjs', 'dist/electron/preload.cjs', 'dist/renderer/index.html', 'package.json']);
    const manifest = JSON.parse(extractFile(asar, 'package.json').toString('utf8')) as { main: string };
    expect(manifest.main).toBe('dist/electron/main.mjs');
  });
});

// Electron 45 runs main.mjs on Node 22; this test runs on Node 20, whose
// isBuiltin() does not know the built-ins added since (bundled undici requires
// node:sqlite lazily, for its SQLite cache store).
const NODE_22_BUILTINS = new Set(['node:sqlite']);
const providedAtRuntime = (specifier: string) => specifier === 'electron' || isBuiltin(specifier) || NODE_22_BUILTINS.has(specifier);

interface BuildDesktopModule {
  buildDesktop(options?: {
    outDir?: string;
    watch?: boolean;
    sourcemap?: boolean;
    onRebuild?: (event: { bundle: string; errors: number }) => void;
  }): Promise<{ main: string; preload: string; dispose(): Promise<void> }>;
}

// Everything a bundle still imports at runtime, as esbuild parses it, plus
// esbuild's `__require("x")` shim calls, which it leaves for unbundled requires.
async function runtimeImports(file: string): Promise<string[]> {
  const externalizeAll: Plugin = {
    name: 'externalize-all',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /.*/ }, (args) => (args.kind === 'entry-point' ? undefined : { path: args.path, external: true }));
    },
  };
  const result = await esbuild({ entryPoints: [file], bundle: true, write: false, metafile: true, platform: 'node', logLevel: 'silent', plugins: [externalizeAll] });
  const parsed = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((entry) => entry.path));
  const shimmed = [...(await readFile(file, 'utf8')).matchAll(/\b__require\(\s*["']([^"']+)["']\s*\)/g)].map((match) => match[1] ?? '');
  return [...new Set([...parsed, ...shimmed])].filter((specifier) => !specifier.startsWith('.')).sort();
}

const loadBuildDesktop = async () => (await import(pathToFileURL(join(ROOT, 'scripts/build-desktop.mjs')).href)) as BuildDesktopModule;

describe('scripts/build-desktop.mjs', () => {
  let outDir: string;
  let built: { main: string; preload: string };

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'qcc-desktop-build-'));
    const { buildDesktop } = await loadBuildDesktop();
    built = await buildDesktop({ outDir });
  }, 120_000);

  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('writes main.mjs and preload.cjs where package.json "main" and the window expect them', async () => {
    expect(relative(outDir, built.main)).toBe('main.mjs');
    expect(relative(outDir, built.preload)).toBe('preload.cjs');
    const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { main: string };
    expect(manifest.main).toBe('dist/electron/main.mjs');
    // The require() shim in the banner must not collide with bundled code.
    execFileSync(process.execPath, ['--check', built.main]);
    execFileSync(process.execPath, ['--check', built.preload]);
  });

  it('leaves only electron and Node built-ins for main.mjs to import at runtime', async () => {
    const imports = await runtimeImports(built.main);
    expect(imports).toContain('electron');
    expect(imports.filter((specifier) => !providedAtRuntime(specifier))).toEqual([]);
  });

  it('leaves the sandboxed preload requiring electron only', async () => {
    expect(await runtimeImports(built.preload)).toEqual(['electron']);
  });
});

describe('scripts/build-desktop.mjs in watch mode (npm run dev)', () => {
  it('resolves once both bundles are built, reports each build, and stops on dispose', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'qcc-desktop-watch-'));
    const { buildDesktop } = await loadBuildDesktop();
    const builds: Array<{ bundle: string; errors: number }> = [];
    const watching = await buildDesktop({ outDir, watch: true, onRebuild: (event) => builds.push(event) });
    try {
      expect(builds.map((event) => event.bundle).sort()).toEqual(['main', 'preload']);
      expect(builds.every((event) => event.errors === 0)).toBe(true);
      expect(existsSync(watching.main) && existsSync(watching.preload)).toBe(true);
    } finally {
      await watching.dispose();
      await rm(outDir, { recursive: true, force: true });
    }
  }, 120_000);
});
