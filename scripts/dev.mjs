// `npm run dev`: the dashboard from vite's dev server with hot reload, the
// Electron main and preload rebuilt on save (Electron restarts when they
// change; the renderer reloads by itself). Where Electron cannot start, the
// same one line as `npm start`, then the headless daemon with the vite server
// in front of it (`/api` proxied), so dashboard hot reload works headless too.
import { join } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { FORWARDED_SIGNALS, earlyExitReason, exitCodeOf, fallbackLine, planDesktop, spawnDesktop } from './launch-desktop.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VITE_CONFIG = join(ROOT, 'src-renderer', 'vite.config.ts');
// main and preload rebuild together on one save; restart once for both.
const RESTART_DEBOUNCE_MS = 250;

/**
 * The options `npm run dev -- …` understands (the daemon's ports), or a usage error.
 * @param {string[]} argv
 * @returns {{ ok: true, port?: number, adminPort?: number } | { ok: false, error: string }}
 */
export function parseDevArgs(argv) {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { port: { type: 'string' }, 'admin-port': { type: 'string' } }, strict: true, allowPositionals: false }));
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  /** @type {{ ok: true, port?: number, adminPort?: number }} */
  const result = { ok: true };
  for (const [flag, key] of /** @type {const} */ ([
    ['port', 'port'],
    ['admin-port', 'adminPort'],
  ])) {
    const text = values[flag];
    if (text === undefined) continue;
    const port = Number(text);
    if (!/^\d+$/.test(text) || port > 65_535) return { ok: false, error: `--${flag} must be a port number (0-65535), got '${text}'` };
    result[key] = port;
  }
  return result;
}

/**
 * The dev server's link with access: the admin token in the fragment, as the dashboard expects it.
 * @param {string} viteUrl
 * @param {string} token
 */
export function devDashboardUrl(viteUrl, token) {
  const url = new URL(viteUrl);
  url.hash = `token=${encodeURIComponent(token)}`;
  return url.href;
}

/**
 * Starts vite's dev server for the renderer; `adminUrl` turns on the `/api` proxy.
 * @param {string | undefined} adminUrl
 */
async function startVite(adminUrl) {
  // The config reads it when loaded, which createServer does.
  if (adminUrl) process.env.QCC_ADMIN_URL = adminUrl;
  else delete process.env.QCC_ADMIN_URL;
  const { createServer } = await import('vite');
  const sigterm = new Set(process.listeners('SIGTERM'));
  const stdinEnd = new Set(process.stdin.listeners('end'));
  const server = await createServer({ configFile: VITE_CONFIG, clearScreen: false });
  // Vite exits the process on SIGTERM (or stdin's end) after closing itself; we
  // own that: Electron or the daemon must stop first (daemon.json removed).
  for (const listener of process.listeners('SIGTERM')) if (!sigterm.has(listener)) process.off('SIGTERM', /** @type {() => void} */ (listener));
  for (const listener of process.stdin.listeners('end')) if (!stdinEnd.has(listener)) process.stdin.off('end', /** @type {() => void} */ (listener));
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('the vite dev server did not report its address');
  return { server, url };
}

/**
 * Resolves with the first stop signal we get.
 * @returns {{ stopped: Promise<NodeJS.Signals>, dispose: () => void }}
 */
function onStopSignal() {
  /** @type {(signal: NodeJS.Signals) => void} */
  let settle = () => undefined;
  const stopped = new Promise((resolve) => (settle = resolve));
  for (const signal of FORWARDED_SIGNALS) process.on(signal, settle);
  return { stopped, dispose: () => FORWARDED_SIGNALS.forEach((signal) => process.off(signal, settle)) };
}

/**
 * Electron on the vite server, restarted whenever its bundles are rebuilt.
 * @param {{ electronPath: string, args: string[] }} plan
 * @param {string[]} args
 * @returns {Promise<{ outcome: 'exited', code: number } | { outcome: 'fallback', reason: string }>}
 */
async function runDesktopDev(plan, args) {
  const vite = await startVite(undefined);
  console.log(`Renderer with hot reload: ${vite.url}`);
  const env = { ...process.env, QCC_RENDERER_URL: vite.url };
  /** @type {ReturnType<typeof spawnDesktop> | null} */
  let current = null;
  let restartTimer = /** @type {ReturnType<typeof setTimeout> | undefined} */ (undefined);
  /** @type {() => void} */
  let announceSpawn = () => undefined;
  /** @type {Promise<void>} */
  let nextSpawn = Promise.resolve();
  const launch = () => {
    current = spawnDesktop({ plan, args, env });
    announceSpawn();
    nextSpawn = new Promise((resolve) => (announceSpawn = resolve));
  };
  /** @type {Promise<void> | null} */
  let restarting = null;
  const restart = () =>
    (restarting ??= (async () => {
      if (!current) return;
      console.log('Desktop bundles rebuilt: restarting Electron…');
      current.kill('SIGTERM');
      await current.exited;
      launch();
      const instance = current;
      void instance.ready.then((ready) => {
        if (!ready && current === instance && !restarting) console.log('Electron exited before its tray was up; save a fix to restart it.');
      });
    })().finally(() => (restarting = null)));

  /** @type {{ dispose: () => Promise<void> } | null} */
  let bundles = null;
  const shutdown = async () => {
    clearTimeout(restartTimer);
    await bundles?.dispose();
    await vite.server.close();
  };
  const signals = onStopSignal();
  try {
    const { buildDesktop } = await import('./build-desktop.mjs');
    bundles = await buildDesktop({
      outDir: join(ROOT, 'dist', 'electron'),
      watch: true,
      onRebuild: (/** @type {{ errors: number }} */ { errors }) => {
        if (errors > 0 || !current) return;
        clearTimeout(restartTimer);
        restartTimer = setTimeout(() => void restart(), RESTART_DEBOUNCE_MS);
      },
    });
    launch();
    const first = /** @type {NonNullable<typeof current>} */ (current);
    if (!(await Promise.race([first.ready, signals.stopped.then(() => true)]))) {
      const exit = await first.exited;
      // A rebuild during startup restarts it; only a death of its own means it cannot run here.
      if (exit.code !== 0 && current === first && !restarting) {
        await shutdown();
        return { outcome: 'fallback', reason: earlyExitReason(exit) };
      }
    }
    // Until we are told to stop, or the user quits the app (an exit no restart caused).
    for (;;) {
      const instance = /** @type {NonNullable<typeof current>} */ (current);
      const result = await Promise.race([instance.exited.then((exit) => ({ exit })), signals.stopped.then((signal) => ({ signal }))]);
      if ('signal' in result) {
        if (restarting) await restarting; // or the instance it is starting would outlive us
        const live = /** @type {NonNullable<typeof current>} */ (current);
        live.kill(result.signal);
        const exit = await live.exited;
        await shutdown();
        return { outcome: 'exited', code: exitCodeOf(exit.code, exit.signal) };
      }
      // Replaced by a restart, or crashed on a broken build: carry on with the next instance.
      if (current !== instance) continue;
      if (restarting) {
        await Promise.race([restarting, signals.stopped]);
        continue;
      }
      if (!(await instance.ready)) {
        await Promise.race([nextSpawn, signals.stopped]);
        continue;
      }
      await shutdown();
      return { outcome: 'exited', code: exitCodeOf(result.exit.code, result.exit.signal) };
    }
  } catch (error) {
    current?.kill('SIGTERM');
    await shutdown();
    throw error;
  } finally {
    signals.dispose();
  }
}

/**
 * The headless daemon (or the one already running on this data directory)
 * behind the vite dev server.
 * @param {string[]} argv
 * @returns {Promise<number>}
 */
async function runHeadlessDev(argv) {
  const options = parseDevArgs(argv);
  if (!options.ok) {
    process.stderr.write(`npm run dev: ${options.error}\n`);
    return 2;
  }
  const { register } = await import('tsx/esm/api');
  register();
  const load = (/** @type {string} */ path) => import(pathToFileURL(join(ROOT, path)).href);
  const [{ resolveDataDir, ensureDataDir }, { loadOrCreateToken }, { findRunningDaemon }, { startDaemon, DEFAULT_PROXY_PORT, DEFAULT_ADMIN_PORT }] = await Promise.all([
    load('src-main/engine/node/data-dir.ts'),
    load('src-main/engine/node/access-token.ts'),
    load('src-main/daemon/daemon-state.ts'),
    load('src-main/daemon/daemon.ts'),
  ]);
  const dataDir = resolveDataDir(process.env);
  await ensureDataDir(dataDir);
  const signals = onStopSignal();

  let daemon = null;
  let adminUrl;
  const running = await findRunningDaemon(dataDir);
  if (running) {
    adminUrl = running.admin_url;
    console.log(`Using the QCC proxy already running: ${running.proxy_url}  (pid ${running.pid})`);
  } else {
    try {
      daemon = await startDaemon({
        dataDir,
        port: options.port ?? DEFAULT_PROXY_PORT,
        adminPort: options.adminPort ?? DEFAULT_ADMIN_PORT,
        onNotification: (/** @type {{ title: string, body: string }} */ note) => console.log(`🔔 ${note.title}: ${note.body}`),
      });
    } catch (error) {
      signals.dispose();
      process.stderr.write(`npm run dev: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
    adminUrl = daemon.adminUrl;
    console.log(`✓ QCC proxy started: ${daemon.proxyUrl}  (pid ${process.pid})`);
  }

  let vite;
  try {
    vite = await startVite(adminUrl);
  } catch (error) {
    signals.dispose();
    await daemon?.stop();
    process.stderr.write(`npm run dev: the vite dev server did not start: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  console.log(`  Dashboard with hot reload: ${devDashboardUrl(vite.url, await loadOrCreateToken(dataDir, 'admin-token'))}`);
  console.log('Press Ctrl-C to stop.');

  const signal = await signals.stopped;
  signals.dispose();
  console.log(`\n${signal}: stopping…`);
  await vite.server.close();
  await daemon?.stop();
  console.log('✓ Stopped');
  return 0;
}

async function main() {
  const args = process.argv.slice(2);
  const plan = await planDesktop();
  let reason = plan.ok ? null : plan.reason;
  if (plan.ok) {
    try {
      const run = await runDesktopDev(plan, args);
      if (run.outcome === 'exited') return run.code;
      reason = run.reason;
    } catch (error) {
      reason = `the desktop app could not be built or started: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    }
  }
  process.stderr.write(`${fallbackLine(reason ?? 'unknown reason')}\n`);
  return runHeadlessDev(args);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
