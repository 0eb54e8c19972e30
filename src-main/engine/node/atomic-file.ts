import { randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isProcessAlive } from './process-alive.js';

export interface WriteFileAtomicOptions {
  /** Permission bits of the written file; default 0o600 because our files hold API keys. */
  mode?: number;
}

/** Some platforms (Windows) or filesystems cannot open or fsync a directory; durability there is best effort. */
const UNSYNCABLE_DIR_CODES = new Set(['EISDIR', 'EPERM', 'EINVAL', 'EACCES']);

function tempPrefix(target: string): string {
  return `.${basename(target)}.`;
}

/**
 * A unique scratch path next to `target`. It carries our pid so that
 * removeStaleTempFiles can tell a crashed writer's leftover from a live one's.
 */
export function tempPathFor(target: string): string {
  return join(dirname(target), `${tempPrefix(target)}${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Replaces `target` so that a reader, or the file after a crash or power cut,
 * shows either the old content or the new one, never a mix: write a temp file
 * in the same directory (rename is only atomic within one filesystem), fsync
 * it, rename it over the target, then fsync the directory so the rename
 * itself survives a power cut. The temp file is removed if anything fails.
 */
export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const mode = options.mode ?? 0o600;
  const dir = dirname(target);
  const temp = tempPathFor(target);
  let renamed = false;
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      // open's mode is filtered by the umask; set it exactly.
      await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
    renamed = true;
  } finally {
    if (!renamed) await unlink(temp).catch(() => undefined);
  }
  await syncDirectory(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    if (!UNSYNCABLE_DIR_CODES.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}

/**
 * Deletes temp files (from `tempPathFor(target)`, e.g. by `writeFileAtomic`)
 * left behind when their process was killed mid-write. Files of live processes are kept: they may be
 * about to be renamed. Returns how many were removed; never throws.
 */
export async function removeStaleTempFiles(target: string): Promise<number> {
  const dir = dirname(target);
  const prefix = tempPrefix(target);
  let removed = 0;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || isProcessAlive(pid)) continue;
    try {
      await unlink(join(dir, name));
      removed++;
    } catch {
      // Another process swept it first.
    }
  }
  return removed;
}
