import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../../../src-shared/contract/errors.js';
import { FailoverEventSchema, type FailoverEvent } from '../../../src-shared/model/event.js';
import { describeIssues } from '../../../src-shared/model/validation.js';
import type { EventLog } from '../core/ports.js';
import { writeFileAtomic } from './atomic-file.js';
import { ensureDataDir } from './data-dir.js';
import { withFileLock } from './file-lock.js';

export interface JsonlEventLogOptions {
  /** The data directory (see resolveDataDir). Created on the first append. */
  dir: string;
  /** How many events the log keeps and returns; default 1000. */
  maxEvents?: number;
  /**
   * Extra lines allowed on disk before compacting back to `maxEvents`, so a
   * full log is rewritten once per `compactSlack` appends, not on every one. Default 200.
   */
  compactSlack?: number;
  /** How long an append waits for another process's append; default withFileLock's. */
  lockTimeoutMs?: number;
}

const NEWLINE = 0x0a;

/** Newline count of the file as we last left it; trusted only while inode and size still match. */
interface KnownShape {
  ino: number;
  size: number;
  newlines: number;
}

function countNewlines(data: Uint8Array): number {
  let count = 0;
  for (const byte of data) if (byte === NEWLINE) count++;
  return count;
}

/** One event per line; torn or foreign lines (a crash mid-append, a hand edit) are skipped. */
function parseLines(text: string): { event: FailoverEvent; line: string }[] {
  const out: { event: FailoverEvent; line: string }[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    const parsed = FailoverEventSchema.safeParse(value);
    if (parsed.success) out.push({ event: parsed.data, line });
  }
  return out;
}

/**
 * The failover history as `events.jsonl` (mode 0600) in the data directory:
 * one JSON event per line, appended under `events.lock` so several processes
 * can share it, bounded to the newest `maxEvents`. Appends are not fsynced:
 * losing the last few history lines in a power cut is acceptable, and a torn
 * last line is skipped on read and terminated by the next append.
 */
export class JsonlEventLog implements EventLog {
  readonly file: string;
  readonly lockFile: string;
  private readonly dir: string;
  private readonly maxEvents: number;
  private readonly compactSlack: number;
  private readonly lockTimeoutMs: number | undefined;
  private known: KnownShape | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: JsonlEventLogOptions) {
    this.dir = options.dir;
    this.maxEvents = options.maxEvents ?? 1000;
    this.compactSlack = options.compactSlack ?? 200;
    this.lockTimeoutMs = options.lockTimeoutMs;
    if (!Number.isInteger(this.maxEvents) || this.maxEvents < 1) throw new RangeError('maxEvents must be a positive integer');
    if (!Number.isInteger(this.compactSlack) || this.compactSlack < 0) throw new RangeError('compactSlack must be a non-negative integer');
    this.file = join(this.dir, 'events.jsonl');
    this.lockFile = join(this.dir, 'events.lock');
  }

  /** Validates and appends one event; appends from this instance land in call order. */
  append(event: FailoverEvent): Promise<void> {
    const parsed = FailoverEventSchema.safeParse(event);
    if (!parsed.success) return Promise.reject(new EngineError('invalid_argument', describeIssues(parsed.error, 'event')));
    const line = `${JSON.stringify(parsed.data)}\n`;
    return this.serialized(async () => {
      await ensureDataDir(this.dir);
      await withFileLock(this.lockFile, () => this.appendLocked(line), {
        timeoutMs: this.lockTimeoutMs,
        resource: 'events',
      });
    });
  }

  /** Up to `limit` events, newest first. */
  async recent(limit: number): Promise<FailoverEvent[]> {
    const count = Math.floor(limit);
    if (!(count > 0)) return [];
    const events = await this.all();
    return events.slice(-count).reverse();
  }

  /** Every kept event (at most `maxEvents`), oldest first. */
  all(): Promise<FailoverEvent[]> {
    // No lock: appends and compaction each replace or extend the file in one step.
    return this.serialized(async () => (await this.readEntries()).map((entry) => entry.event));
  }

  private async readEntries(): Promise<{ event: FailoverEvent; line: string }[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new EngineError('storage_failed', `cannot read ${this.file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    // The file may hold up to compactSlack more than we promise to keep.
    return parseLines(text).slice(-this.maxEvents);
  }

  private async appendLocked(line: string): Promise<void> {
    let newlines: number;
    const handle = await open(this.file, 'a+', 0o600);
    try {
      const info = await handle.stat();
      let text = line;
      if (info.size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, info.size - 1);
        // A crash mid-append left a torn line: end it so ours is not glued onto it.
        if (last[0] !== NEWLINE) text = `\n${line}`;
      } else {
        await handle.chmod(0o600);
      }
      const known = this.known;
      const before =
        known && known.ino === info.ino && known.size === info.size ? known.newlines : countNewlines(await readFile(this.file));
      const bytes = Buffer.from(text, 'utf8');
      // O_APPEND: one write lands at the end even if a process ignoring the lock wrote meanwhile.
      await handle.write(bytes);
      newlines = before + countNewlines(bytes);
      this.known = { ino: info.ino, size: info.size + bytes.length, newlines };
    } finally {
      await handle.close();
    }
    if (newlines > this.maxEvents + this.compactSlack) await this.compactLocked();
  }

  /** Rewrites the file with the newest maxEvents valid lines; the caller holds the lock, so no append is lost. */
  private async compactLocked(): Promise<void> {
    const kept = await this.readEntries();
    const text = kept.length ? `${kept.map((entry) => entry.line).join('\n')}\n` : '';
    await writeFileAtomic(this.file, text, { mode: 0o600 });
    const info = await stat(this.file);
    this.known = { ino: info.ino, size: info.size, newlines: kept.length };
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
