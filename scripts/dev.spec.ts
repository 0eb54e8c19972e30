import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { collectOutput } from './testing/collect-output.js';

// dev.mjs is plain .mjs and vite.config.ts belongs to the renderer's project: loaded by URL, typed here.
interface Dev {
  parseDevArgs(argv: string[]): { ok: true; port?: number; adminPort?: number } | { ok: false; error: string };
  devDashboardUrl(viteUrl: string, token: string): string;
}
interface ViteConfig {
  originForAdmin(origin: string | undefined, host: string | undefined, adminUrl: string): string | undefined;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dev = (await import(new URL('./dev.mjs', import.meta.url).href)) as Dev;
const viteConfig = (await import(new URL('../src-renderer/vite.config.ts', import.meta.url).href)) as ViteConfig;

const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('npm run dev helpers', () => {
  it('takes the daemon ports and refuses anything else with a clear message', () => {
    expect(dev.parseDevArgs([])).toEqual({ ok: true });
    expect(dev.parseDevArgs(['--port', '0', '--admin-port', '7861'])).toEqual({ ok: true, port: 0, adminPort: 7861 });
    expect(dev.parseDevArgs(['--port', 'abc'])).toEqual({ ok: false, error: "--port must be a port number (0-65535), got 'abc'" });
    expect(dev.parseDevArgs(['--admin-port', '70000'])).toMatchObject({ ok: false, error: expect.stringContaining('--admin-port') });
    expect(dev.parseDevArgs(['--verbose'])).toMatchObject({ ok: false, error: expect.stringContaining('--verbose') });
  });

  it('puts the admin token in the fragment, where the dashboard looks for it and no server sees it', () => {
    expect(dev.devDashboardUrl('http://127.0.0.1:5173/', 'qcc-a/b')).toBe('http://127.0.0.1:5173/#token=qcc-a%2Fb');
  });

  it("trades only the dev server's own origin for the admin server's; foreign pages stay foreign", () => {
    const admin = 'http://127.0.0.1:7861';
    expect(viteConfig.originForAdmin('http://127.0.0.1:5173', '127.0.0.1:5173', admin)).toBe('http://127.0.0.1:7861');
    expect(viteConfig.originForAdmin('http://LOCALHOST:5173', 'localhost:5173', admin)).toBe('http://127.0.0.1:7861');
    expect(viteConfig.originForAdmin('http://evil.example', '127.0.0.1:5173', admin)).toBe('http://evil.example');
    expect(viteConfig.originForAdmin('http://127.0.0.1:9999', '127.0.0.1:5173', admin)).toBe('http://127.0.0.1:9999');
    expect(viteConfig.originForAdmin(undefined, '127.0.0.1:5173', admin)).toBeUndefined();
  });
});

describe('npm run dev on a machine without Electron (subprocess)', () => {
  it.runIf(process.platform === 'linux')('runs the headless daemon behind vite: hot-reloading dashboard, /api proxied with the token', async () => {
    const home = await mkdtemp(join(tmpdir(), 'qcc-dev-'));
    temps.push(home);
    const env: NodeJS.ProcessEnv = { ...process.env, QCC_HOME: home, QCC_VITE_PORT: '0' };
    for (const name of ['DISPLAY', 'WAYLAND_DISPLAY', 'ELECTRON_OVERRIDE_DIST_PATH', 'QCC_ADMIN_URL', 'QCC_CLI_ENTRY']) delete env[name];
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'dev.mjs'), '--port', '0', '--admin-port', '0'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = collectOutput(child);
    try {
      const [, viteUrl, token] = (await output.waitFor(/Dashboard with hot reload: (http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+)/)) as unknown as [string, string, string];

      const page = await (await fetch(`${viteUrl}/`)).text();
      expect(page).toContain('/@vite/client'); // served by vite with HMR, not the built bundle

      const rpc = (origin: string) =>
        fetch(`${viteUrl}/api/rpc`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, origin },
          body: JSON.stringify({ command: 'state:get' }),
        });
      // What a browser on the dev page sends: its own origin, which the admin server would otherwise refuse.
      const own = await rpc(viteUrl);
      expect(own.status).toBe(200);
      expect(await own.json()).toMatchObject({ ok: true, result: { revision: expect.any(Number) } });
      expect((await rpc('http://evil.example')).status).toBe(403);

      const events = await fetch(`${viteUrl}/api/events`, { headers: { authorization: `Bearer ${token}`, origin: viteUrl } });
      const reader = events.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      expect(first).toMatch(/^event: state:changed\n/);
      await reader.cancel();
      expect(await stat(join(home, 'daemon.json')).then(() => true)).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await output.exit).toBe(0);
    expect(await stat(join(home, 'daemon.json')).then(() => true, () => false)).toBe(false);
    expect(output.stderr().trim().split('\n')).toEqual([
      'QCC: the desktop app cannot start here (no display: DISPLAY and WAYLAND_DISPLAY are unset); running headless instead.',
    ]);
  });
});
