import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../../src-shared/contract/errors.js';
import { withFileLock } from './file-lock.js';
import { isProcessAlive } from './process-alive.js';

/** Above Linux's pid_max (2^22) and macOS's 99999: no such process can exist. */
const DEAD_PID = 2 ** 30;

describe('withFileLock', () => {
  let dir: string;
  let lockPath: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qcc-lock-'));
    lockPath = join(dir, 'x.lock');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('holds a lock file naming this process while fn runs, and removes it after', async () => {
    const inside = await withFileLock(lockPath, async () => JSON.parse(await readFile(lockPath, 'utf8')) as unknown);
    expect(inside).toMatchObject({ pid: process.pid, acquired_at: expect.any(Number) });
    await expect(readFile(lockPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('lets only one holder in at a time', async () => {
    let holders = 0;
    let maxHolders = 0;
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2, 3].map((n) =>
        withFileLock(lockPath, async () => {
          holders++;
          maxHolders = Math.max(maxHolders, holders);
          await sleep(5);
          order.push(n);
          holders--;
        }),
      ),
    );
    expect(maxHolders).toBe(1);
    expect(order.sort()).toEqual([0, 1, 2, 3]);
  });

  it('releases the lock when fn throws', async () => {
    await expect(withFileLock(lockPath, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(withFileLock(lockPath, () => 'again', { timeoutMs: 200 })).resolves.toBe('again');
  });

  it('breaks a lock whose owner process is dead', async () => {
    expect(isProcessAlive(DEAD_PID)).toBe(false);
    await writeFile(lockPath, JSON.stringify({ pid: DEAD_PID, acquired_at: Date.now() }));
    await expect(withFileLock(lockPath, () => 'mine', { timeoutMs: 200 })).resolves.toBe('mine');
  });

  it('breaks a lock older than staleMs even if its owner is alive', async () => {
    let now = 1_000_000;
    const clock = { now: () => (now += 1) };
    await writeFile(lockPath, JSON.stringify({ pid: process.pid, acquired_at: 1_000_000 - 31_000 }));
    await expect(withFileLock(lockPath, () => 'mine', { clock, staleMs: 30_000 })).resolves.toBe('mine');
  });

  it('times out on a live, fresh lock with storage_failed naming the holder and the lock file', async () => {
    await writeFile(lockPath, JSON.stringify({ pid: process.pid, acquired_at: Date.now() }));
    const error = await withFileLock(lockPath, () => 'never', { timeoutMs: 100, resource: 'settings' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: 'storage_failed' });
    expect((error as Error).message).toContain(`settings are locked by process ${process.pid}`);
    expect((error as Error).message).toContain(lockPath);
    // Not ours: left in place.
    expect(JSON.parse(await readFile(lockPath, 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('does not remove a lock that is no longer ours on release', async () => {
    const successor = JSON.stringify({ pid: process.pid, acquired_at: Date.now(), token: 'someone-else' });
    await withFileLock(lockPath, async () => {
      // As if we overran staleMs and another process broke our lock and took it.
      await writeFile(lockPath, successor);
    });
    expect(await readFile(lockPath, 'utf8')).toBe(successor);
  });
});
