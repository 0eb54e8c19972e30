import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('./testing/fake-shell.js')).fakeShellModule);

const { APP_ENTRY_URL, APP_SCHEME, RENDERER_CSP, appResponse, registerAppScheme, resolveAppFile, serveRenderer } = await import('./app-protocol.js');
const { protocol } = await import('./testing/fake-shell.js');

let root: string;
let outside: string;

beforeAll(async () => {
  const base = await mkdtemp(join(tmpdir(), 'qcc-app-protocol-'));
  root = join(base, 'renderer');
  outside = join(base, 'secret.txt');
  await mkdir(join(root, 'assets'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<!doctype html><title>QCC</title>');
  await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(outside, 'do not serve me');
});

afterAll(async () => {
  await rm(join(root, '..'), { recursive: true, force: true });
});

describe('resolveAppFile', () => {
  it('maps qcc://app/ paths into the renderer folder, / to index.html', () => {
    expect(resolveAppFile(root, 'qcc://app/')).toBe(join(root, 'index.html'));
    expect(resolveAppFile(root, 'qcc://app/assets/app.js?v=1#x')).toBe(join(root, 'assets', 'app.js'));
  });

  it('never resolves outside the folder, however the path is spelled', () => {
    for (const url of ['qcc://app/../secret.txt', 'qcc://app/%2e%2e/secret.txt', 'qcc://app/assets/..%2f..%2fsecret.txt', 'qcc://app/assets/%2e%2e%2f%2e%2e%2fsecret.txt']) {
      const file = resolveAppFile(root, url);
      expect(file === null || file.startsWith(`${root}/`), `${url} → ${file}`).toBe(true);
    }
    // Escapes hidden from URL normalisation by an encoded slash are caught after decoding.
    expect(resolveAppFile(root, 'qcc://app/assets/%2e%2e%2f%2e%2e%2fsecret.txt')).toBeNull();
  });

  it('refuses NUL bytes, broken escapes, other hosts and other schemes', () => {
    for (const url of [
      'qcc://app/%00index.html',
      'qcc://app/%E0%A4%A',
      'qcc://evil/index.html',
      'file:///etc/passwd',
      'https://app/index.html',
      'not a url',
    ]) {
      expect(resolveAppFile(root, url), url).toBeNull();
    }
  });
});

describe('appResponse', () => {
  it('serves files with their content type and the strict CSP', async () => {
    const response = await appResponse(root, APP_ENTRY_URL);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(RENDERER_CSP);
    expect(await response.text()).toContain('<title>QCC</title>');
    const script = await appResponse(root, 'qcc://app/assets/app.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('answers 404 for missing files and for escapes, never their content', async () => {
    expect((await appResponse(root, 'qcc://app/missing.js')).status).toBe(404);
    const escape = await appResponse(root, 'qcc://app/%2e%2e/secret.txt');
    expect(escape.status).toBe(404);
    expect(await escape.text()).not.toContain('do not serve me');
  });

  it('allows no remote content: scripts, connections and frames stay on the app origin', () => {
    expect(RENDERER_CSP).toContain("default-src 'none'");
    expect(RENDERER_CSP).toContain("script-src 'self'");
    expect(RENDERER_CSP).toContain("frame-ancestors 'none'");
    expect(RENDERER_CSP).not.toMatch(/https?:|\*|unsafe-eval/);
  });
});

describe('scheme registration', () => {
  it('registers qcc: as a standard, secure scheme and serves the folder through it', async () => {
    registerAppScheme();
    expect(protocol.privileged).toEqual([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true } }]);
    serveRenderer(root);
    const handler = protocol.handlers.get(APP_SCHEME);
    expect(handler).toBeDefined();
    const response = await handler!({ url: APP_ENTRY_URL } as Request);
    expect(response.status).toBe(200);
  });
});
