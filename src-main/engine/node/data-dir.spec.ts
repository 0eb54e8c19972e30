import { mkdtemp, rm, stat } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureDataDir, resolveDataDir } from './data-dir.js';

describe('resolveDataDir', () => {
  it('uses $QCC_HOME when set', () => {
    expect(resolveDataDir({ QCC_HOME: '/srv/qcc' })).toBe('/srv/qcc');
  });

  it('defaults to ~/.qcc when $QCC_HOME is unset or blank', () => {
    expect(resolveDataDir({})).toBe(join(homedir(), '.qcc'));
    expect(resolveDataDir({ QCC_HOME: '  ' })).toBe(join(homedir(), '.qcc'));
  });
});

describe('ensureDataDir', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'qcc-dir-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it.skipIf(process.platform === 'win32')('creates missing parents, owner-only', async () => {
    const dir = join(root, 'a', 'b', '.qcc');
    await ensureDataDir(dir);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    await ensureDataDir(dir); // idempotent
  });
});
