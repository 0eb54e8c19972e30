import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { EngineError } from '../../../src-shared/contract/errors.js';
import type { Clock } from '../core/ports.js';
import { tempPathFor } from './atomic-file.js';
import { isProcessAlive } from './process-alive.js';
import { SystemClock } from './system-clock.js';

/** How long `withFileLock` waits by default before giving up. */
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
/**
 * A lock older than this is assumed abandoned even if its pid is alive: our
 * critical sections take milliseconds, and a recycled pid must not block forever.
 */
export const DEFAULT_LOCK_STALE_MS = 30_000;

export interface FileLockOptions {
  /** Give up after this long; default DEFAULT_LOCK_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Break a lock older than this; default DEFAULT_LOCK_STALE_MS. */
  staleMs?: number;
  /** Source of `acquired_at` and of the deadline. A fake clock must advance or the wait never ends. */
  clock?: Clock;
  /** What the lock protects, for the timeout message: "settings are locked by …". */
  resource?: string;
}

/** The lock file's content. `token` tells our lock from a successor's with the same pid. */
interface LockRecord {
  pid: number;
  acquired_at: number;
  host?: string;
  token?: string;
}

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function parseRecord(text: string): LockRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockRecord> | null;
    if (value && typeof value.pid === 'number' && typeof value.acquired_at === 'number') return value as LockRecord;
  } catch {
    // Empty or half-written: on filesystems without hard links the owner is between create and write.
  }
  return undefined;
}

/**
 * Runs `fn` while holding an advisory lock shared by every process that uses
 * the same `lockPath`. The lock file is created exclusively (a hard link, or
 * O_EXCL where links are unsupported), so exactly one creator wins. Waiters
 * retry with a small random backoff; a lock whose owner died (or that is older
 * than `staleMs`) is broken.
 * Throws EngineError `storage_failed` on timeout. Not re-entrant.
 */
export async function withFileLock<T>(
  lockPath: string,
  fn: () => Promise<T> | T,
  options: FileLockOptions = {},
): Promise<T> {
  const token = await acquire(lockPath, options);
  try {
    return await fn();
  } finally {
    // If we overran staleMs someone may have broken our lock and taken it: leave theirs alone.
    await removeIfToken(lockPath, token).catch(() => undefined);
  }
}

async function acquire(lockPath: string, options: FileLockOptions): Promise<string> {
  const clock = options.clock ?? new SystemClock();
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const staleMs = options.staleMs ?? DEFAULT_LOCK_STALE_MS;
  const token = randomBytes(8).toString('hex');
  const deadline = clock.now() + timeoutMs;
  let lastHolder: LockRecord | undefined;

  for (let attempt = 0; ; attempt++) {
    const record: LockRecord = { pid: process.pid, acquired_at: clock.now(), host: hostname(), token };
    if (await tryCreate(lockPath, record)) return token;

    const existing = await readLock(lockPath);
    if (existing === 'gone') continue;
    lastHolder = existing.record ?? lastHolder;
    if (isStale(existing, clock, staleMs)) {
      await breakLock(lockPath, existing.text);
      continue;
    }

    if (clock.now() >= deadline) throw lockTimeout(lockPath, lastHolder, options.resource ?? 'the data');
    // Randomized so two waiters do not retry in lockstep; capped because critical sections are short.
    const base = Math.min(50, 2 * 2 ** Math.min(attempt, 5));
    await sleep(base / 2 + Math.random() * base);
  }
}

/** Where hard links are unavailable (FAT, some network shares), fall back to create-then-write. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/**
 * Creates the lock with its content in one step: the record is written to a
 * temp file and hard-linked to `lockPath`, which fails with EEXIST like O_EXCL.
 * A plain `wx` open followed by a write would leave an empty, ownerless lock
 * if the process were killed in between, blocking everyone until it went stale.
 */
async function tryCreate(lockPath: string, record: LockRecord): Promise<boolean> {
  const temp = tempPathFor(lockPath);
  try {
    await writeFile(temp, JSON.stringify(record), { flag: 'wx', mode: 0o600 });
    await link(temp, lockPath);
    return true;
  } catch (error) {
    const code = errnoCode(error) ?? '';
    if (code === 'EEXIST') return false;
    if (NO_HARD_LINKS.has(code)) return tryCreateExclusive(lockPath, record);
    throw new EngineError('storage_failed', `cannot create lock file ${lockPath} (${code || String(error)})`);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

async function tryCreateExclusive(lockPath: string, record: LockRecord): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockPath, 'wx', 0o600);
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw new EngineError('storage_failed', `cannot create lock file ${lockPath} (${errnoCode(error) ?? String(error)})`);
  }
  try {
    await handle.writeFile(JSON.stringify(record));
  } finally {
    await handle.close();
  }
  return true;
}

interface ObservedLock {
  text: string;
  record: LockRecord | undefined;
  mtimeMs: number;
}

async function readLock(lockPath: string): Promise<ObservedLock | 'gone'> {
  try {
    const [text, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    return { text, record: parseRecord(text), mtimeMs: info.mtimeMs };
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return 'gone';
    throw new EngineError('storage_failed', `cannot read lock file ${lockPath} (${errnoCode(error) ?? String(error)})`);
  }
}

function isStale(lock: ObservedLock, clock: Clock, staleMs: number): boolean {
  const { record } = lock;
  // Unreadable content: judge by the file's age on the filesystem's own clock.
  if (!record) return Date.now() - lock.mtimeMs > staleMs;
  // A pid only means something on the host that wrote it (a data dir on a network share).
  const sameHost = record.host === undefined || record.host === hostname();
  if (sameHost && !isProcessAlive(record.pid)) return true;
  return clock.now() - record.acquired_at > staleMs;
}

/** Removes the stale lock we observed, but not a fresh one another waiter created after breaking it first. */
async function breakLock(lockPath: string, observedText: string): Promise<void> {
  await removeIf(lockPath, (text) => text === observedText);
}

async function removeIfToken(lockPath: string, token: string): Promise<void> {
  await removeIf(lockPath, (text) => parseRecord(text)?.token === token);
}

/**
 * Check-then-unlink would race with a process that replaces the lock in
 * between, so move the lock aside atomically first, look at what we moved,
 * and put it back if it is not the one we meant to remove.
 */
async function removeIf(lockPath: string, isTheOne: (text: string) => boolean): Promise<void> {
  // A temp name, so removeStaleTempFiles sweeps it if we die before the unlink below.
  const aside = tempPathFor(lockPath);
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return;
    throw error;
  }
  try {
    const text = await readFile(aside, 'utf8');
    if (!isTheOne(text)) {
      // link fails with EEXIST rather than overwrite a lock created meanwhile.
      await link(aside, lockPath).catch(() => undefined);
    }
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}

function lockTimeout(lockPath: string, holder: LockRecord | undefined, resource: string): EngineError {
  const who = holder ? `process ${holder.pid}` : 'another process';
  return new EngineError(
    'storage_failed',
    `${resource} are locked by ${who} (lock file ${lockPath}); another QCC process is still writing. ` +
      'Try again; if no QCC process is running, delete the lock file.',
  );
}
