import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateToken } from './access-token.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qcc-token-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadOrCreateToken', () => {
  it('creates a private token once and returns the same one afterwards', async () => {
    const token = await loadOrCreateToken(dir, 'proxy-token');
    expect(token).toMatch(/^qcc-[A-Za-z0-9_-]{32}$/);
    expect((await stat(join(dir, 'proxy-token'))).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateToken(dir, 'proxy-token')).toBe(token);
    expect((await readFile(join(dir, 'proxy-token'), 'utf8')).trim()).toBe(token);
  });

  it('agrees on one token when many callers race to create it', async () => {
    const tokens = await Promise.all(Array.from({ length: 20 }, () => loadOrCreateToken(dir, 'admin-token')));
    expect(new Set(tokens).size).toBe(1);
  });

  it('keeps the proxy and admin tokens apart', async () => {
    expect(await loadOrCreateToken(dir, 'proxy-token')).not.toBe(await loadOrCreateToken(dir, 'admin-token'));
  });
});
