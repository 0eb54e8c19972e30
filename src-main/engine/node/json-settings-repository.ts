import { access, chmod, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../../../src-shared/contract/errors.js';
import { SETTINGS_SCHEMA_VERSION, SettingsSchema, emptySettings, type Settings } from '../../../src-shared/model/settings.js';
import { describeIssues } from '../../../src-shared/model/validation.js';
import type { Clock, SettingsLoadResult, SettingsRepository } from '../core/ports.js';
import { removeStaleTempFiles, writeFileAtomic } from './atomic-file.js';
import { ensureDataDir } from './data-dir.js';
import { withFileLock } from './file-lock.js';
import { jsonSyntaxErrorPosition } from './json-syntax.js';
import { NewerSettingsVersionError, SettingsMigrationError, migrateSettings } from './settings-migrations.js';

export interface JsonSettingsRepositoryOptions {
  /** The data directory (see resolveDataDir). Created on the first write. */
  dir: string;
  /** Timestamps the names of files moved aside. Lock timing always uses real time: it is shared with other processes. */
  clock: Clock;
  /** How long `update` waits for another process's write; default withFileLock's. */
  lockTimeoutMs?: number;
}

/** What reading one settings file yielded. `reason` completes "<file> …" and never quotes file content. */
type StoredSettings =
  | { kind: 'missing' }
  | { kind: 'ok'; settings: Settings; from: number; text: string }
  | { kind: 'invalid'; reason: string }
  | { kind: 'newer'; version: number };

/** The current document under the lock; `stored` is false when nothing valid is on disk. */
type Current = { settings: Settings; stored: boolean } | { newer: number };

const FILE_MODE = 0o600;

function serialize(settings: Settings): string {
  return `${JSON.stringify(settings, null, 2)}\n`;
}

function errnoCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? String(error);
}

function describeJsonError(text: string): string {
  if (text.trim() === '') return 'is empty';
  const at = jsonSyntaxErrorPosition(text);
  return at ? `is not valid JSON (line ${at.line}, column ${at.column})` : 'is not valid JSON';
}

/** Parse, migrate and validate one file; the same rules apply to settings.json and its .bak. */
async function readStoredSettings(path: string): Promise<StoredSettings> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { kind: 'missing' };
    // Unreadable is not corrupt: moving it aside would not help and could lose it.
    throw new EngineError('storage_failed', `cannot read ${path} (${errnoCode(error)})`);
  }
  // Editors on Windows may add a byte order mark; it is not a reason to discard the file.
  const json = text.replace(/^\uFEFF/, '');
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { kind: 'invalid', reason: describeJsonError(json) };
  }
  let migrated: { doc: unknown; from: number };
  try {
    migrated = migrateSettings(raw);
  } catch (error) {
    if (error instanceof NewerSettingsVersionError) return { kind: 'newer', version: error.version };
    if (error instanceof SettingsMigrationError) {
      return { kind: 'invalid', reason: `(schema ${error.fromVersion}) is not valid: ${error.detail}` };
    }
    throw error;
  }
  const parsed = SettingsSchema.safeParse(migrated.doc);
  if (!parsed.success) {
    const stored = migrated.from < SETTINGS_SCHEMA_VERSION ? ` (schema ${migrated.from}, after migration)` : '';
    return { kind: 'invalid', reason: `${stored} is not valid: ${describeIssues(parsed.error)}`.trimStart() };
  }
  return { kind: 'ok', settings: parsed.data, from: migrated.from, text };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** A name next to `base` that is not taken yet, so one moved-aside copy never replaces another. */
async function freshName(base: string): Promise<string> {
  let candidate = base;
  for (let n = 2; await exists(candidate); n++) candidate = `${base}-${n}`;
  return candidate;
}

/**
 * Settings as one JSON document, `settings.json` (mode 0600), in the data
 * directory shared by every QCC process. Writes are atomic and serialized
 * across processes by `settings.lock`; the previous good document is kept as
 * `settings.json.bak`. A file that fails to parse or validate is never
 * overwritten: it is renamed to `settings.json.corrupt-<time>` and the .bak is
 * restored. A file from a newer QCC is left untouched and updates are refused.
 */
export class JsonSettingsRepository implements SettingsRepository {
  /** settings.json */
  readonly file: string;
  /** The last good document before the latest update. */
  readonly backupFile: string;
  readonly lockFile: string;
  private readonly dir: string;
  private readonly clock: Clock;
  private readonly lockTimeoutMs: number | undefined;
  /** Problems met by `update` that the next `load` reports. */
  private pending: string[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: JsonSettingsRepositoryOptions) {
    this.dir = options.dir;
    this.clock = options.clock;
    this.lockTimeoutMs = options.lockTimeoutMs;
    this.file = join(this.dir, 'settings.json');
    this.backupFile = `${this.file}.bak`;
    this.lockFile = join(this.dir, 'settings.lock');
  }

  /** Problems met by `update` (e.g. a corrupt file moved aside) not yet reported by `load`. */
  get problems(): readonly string[] {
    return [...this.pending];
  }

  async load(): Promise<SettingsLoadResult> {
    return this.serialized(async () => {
      for (const path of [this.file, this.backupFile, this.lockFile]) await removeStaleTempFiles(path);
      const problems = this.pending.splice(0);
      const first = await readStoredSettings(this.file);
      // The common case needs no lock: writes are atomic, so a reader sees a whole document.
      if (first.kind === 'missing') return { settings: emptySettings(), problems };
      if (first.kind === 'ok' && first.from === SETTINGS_SCHEMA_VERSION) return { settings: first.settings, problems };
      if (first.kind === 'newer') {
        problems.push(`${this.newerMessage(first.version)} Starting with empty settings; changes are refused until then.`);
        return { settings: emptySettings(), problems };
      }
      // Repairs and migrations write, so they happen under the lock on a fresh read:
      // another process may have fixed or changed the file in the meantime.
      const current = await this.locked(() => this.readCurrent(problems));
      if ('newer' in current) {
        problems.push(`${this.newerMessage(current.newer)} Starting with empty settings; changes are refused until then.`);
        return { settings: emptySettings(), problems };
      }
      return { settings: current.settings, problems };
    });
  }

  async update(mutate: (current: Settings) => Settings): Promise<Settings> {
    return this.serialized(async () => {
      await ensureDataDir(this.dir);
      return this.locked(async () => {
        // Fresh from disk, not a cached copy: another process may have written since our last read.
        const current = await this.readCurrent(this.pending);
        if ('newer' in current) throw new EngineError('failed_precondition', this.newerMessage(current.newer));
        // A clone, so a mutate that edits in place and then throws leaves nothing half-applied.
        const next = mutate(structuredClone(current.settings));
        const parsed = SettingsSchema.safeParse(next);
        if (!parsed.success) throw new EngineError('invalid_argument', describeIssues(parsed.error));
        if (current.stored) await writeFileAtomic(this.backupFile, serialize(current.settings), { mode: FILE_MODE });
        await writeFileAtomic(this.file, serialize(parsed.data), { mode: FILE_MODE });
        return parsed.data;
      });
    });
  }

  /** Reads settings.json under the lock, migrating or repairing it on disk; records problems. */
  private async readCurrent(problems: string[]): Promise<Current> {
    const stored = await readStoredSettings(this.file);
    switch (stored.kind) {
      case 'missing':
        return { settings: emptySettings(), stored: false };
      case 'newer':
        return { newer: stored.version };
      case 'ok':
        if (stored.from < SETTINGS_SCHEMA_VERSION) await this.writeMigrated(stored.text, stored.from, stored.settings);
        return { settings: stored.settings, stored: true };
      case 'invalid':
        return this.recover(stored.reason, problems);
    }
  }

  private async writeMigrated(originalText: string, from: number, settings: Settings): Promise<void> {
    // The original goes first: if we die between the two writes, nothing is lost.
    const backup = await freshName(`${this.file}.v${from}-backup`);
    await writeFileAtomic(backup, originalText, { mode: FILE_MODE });
    await writeFileAtomic(this.file, serialize(settings), { mode: FILE_MODE });
  }

  private async recover(reason: string, problems: string[]): Promise<Current> {
    const aside = await this.moveAside();
    const backup = await readStoredSettings(this.backupFile);
    if (backup.kind === 'ok') {
      await writeFileAtomic(this.file, serialize(backup.settings), { mode: FILE_MODE });
      problems.push(`${this.file} ${reason}; it was moved to ${aside}. Restored the last good copy from ${this.backupFile}.`);
      return { settings: backup.settings, stored: true };
    }
    let backupNote = '';
    if (backup.kind === 'invalid') backupNote = ` ${this.backupFile} ${backup.reason}, so it was not used.`;
    if (backup.kind === 'newer') backupNote = ` ${this.backupFile} is from a newer QCC (schema ${backup.version}), so it was not used.`;
    problems.push(`${this.file} ${reason}; it was moved to ${aside}.${backupNote} Starting with empty settings.`);
    return { settings: emptySettings(), stored: false };
  }

  /** Renames the bad file out of the way, keeping its bytes, under a name valid on Windows too. */
  private async moveAside(): Promise<string> {
    const stamp = new Date(this.clock.now()).toISOString().replace(/:/g, '-');
    const aside = await freshName(`${this.file}.corrupt-${stamp}`);
    try {
      await rename(this.file, aside);
    } catch (error) {
      throw new EngineError('storage_failed', `cannot move invalid ${this.file} aside to ${aside} (${errnoCode(error)})`);
    }
    // It may still hold API keys.
    await chmod(aside, FILE_MODE).catch(() => undefined);
    return aside;
  }

  private newerMessage(version: number): string {
    return (
      `${this.file} was written by a newer QCC (schema ${version}); this QCC understands schema ${SETTINGS_SCHEMA_VERSION} ` +
      'and will not change it. Update QCC, or move the file aside to start over.'
    );
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(this.lockFile, fn, { timeoutMs: this.lockTimeoutMs, resource: 'settings' });
  }

  /** One operation at a time within this process; the file lock orders us against other processes. */
  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
