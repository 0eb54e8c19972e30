import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface RotatingLogOptions {
  dir: string;
  /** Base file name; rotated copies get `.1`, `.2`, … */
  name?: string;
  maxBytes?: number;
  keep?: number;
}

/**
 * A structured log: one JSON object per line, rotated by size. Lines are
 * buffered and written in batches so the proxy's hot path never waits on the
 * disk. Callers must pass only key-free data (ids, hints, statuses).
 */
export class RotatingLog {
  readonly file: string;
  private readonly maxBytes: number;
  private readonly keep: number;
  private buffer: string[] = [];
  private size = -1;
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: RotatingLogOptions) {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    this.file = join(options.dir, options.name ?? 'qcc.log');
    this.maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
    this.keep = options.keep ?? 3;
  }

  /** Queues one line; `time` is added (ISO, UTC). */
  write(kind: string, fields: Record<string, unknown>): void {
    this.buffer.push(`${JSON.stringify({ time: new Date().toISOString(), kind, ...fields })}\n`);
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => this.flush(), 200);
      this.flushTimer.unref();
    }
  }

  /** Writes what is queued now (also on shutdown). */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.buffer.length === 0) return;
    const text = this.buffer.join('');
    this.buffer = [];
    if (this.size < 0) this.size = fileSize(this.file);
    if (this.size + text.length > this.maxBytes && this.size > 0) this.rotate();
    appendFileSync(this.file, text, { mode: 0o600 });
    this.size += Buffer.byteLength(text);
  }

  private rotate(): void {
    for (let i = this.keep - 1; i >= 1; i--) {
      try {
        renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
      } catch {
        // Not there yet.
      }
    }
    try {
      renameSync(this.file, `${this.file}.1`);
    } catch {
      // Nothing to rotate.
    }
    this.size = 0;
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
