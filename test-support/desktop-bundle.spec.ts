import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The bundle electron-builder ships (dist/electron/main.mjs) must boot: a
// bundling mistake (a lost import, code that finds files next to itself, a
// CommonJS dependency without `require`) shows only at run time. Electron
// cannot run here, so the bundle runs under Node with `electron` resolved to
// the test fakes — everything else in it is the real thing.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REGISTER = fileURLToPath(new URL('./electron-stub/register.mjs', import.meta.url));

let outDir: string;
let dataDir: string;
let child: ChildProcess | null = null;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'qcc-bundle-'));
  dataDir = await mkdtemp(join(tmpdir(), 'qcc-bundle-home-'));
  const { buildDesktop } = (await import(join(ROOT, 'scripts/build-desktop.mjs'))) as {
    buildDesktop(options: { outDir: string; sourcemap?: boolean }): Promise<unknown>;
  };
  await buildDesktop({ outDir, sourcemap: false });
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await rm(outDir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
});

describe('the bundled Electron main process', () => {
  it('boots to the tray, serves the engine, and stops cleanly on SIGTERM', async () => {
    child = spawn(process.execPath, ['--import', REGISTER, '--import', 'tsx', join(outDir, 'main.mjs'), '--port', '0', '--admin-port', '0'], {
      cwd: ROOT,
      // TMPDIR too: the fake app's userData lives under it, and goes with dataDir afterwards.
      env: { ...process.env, QCC_HOME: dataDir, HOME: dataDir, TMPDIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await expect.poll(() => stdout, { timeout: 20_000, interval: 50 }).toContain('qcc-desktop-ready');

    const state = JSON.parse(await readFile(join(dataDir, 'daemon.json'), 'utf8')) as { pid: number; admin_url: string; proxy_url: string };
    expect(state.pid).toBe(child.pid);
    const health = (await (await fetch(`${state.admin_url}/api/health`)).json()) as { pid: number; proxy_url: string };
    expect(health).toMatchObject({ pid: child.pid, proxy_url: state.proxy_url });
    // The proxy answers (401 without the token, in Anthropic's error format).
    const refused = await fetch(`${state.proxy_url}/v1/models`);
    expect(refused.status).toBe(401);

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    await expect(readFile(join(dataDir, 'daemon.json'), 'utf8')).rejects.toThrow(/ENOENT/);
  }, 40_000);
});
