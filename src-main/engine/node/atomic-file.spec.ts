import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeStaleTempFiles, writeFileAtomic } from './atomic-file.js';
import { JsonSettingsRepository } from './json-settings-repository.js';
import { SystemClock } from './system-clock.js';
import { CHURN_CONFIGS } from './testing/settings-fixtures.js';
import { spawnTsChild } from './testing/spawn-child.js';

const DEAD_PID = 2 ** 30;

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qcc-atomic-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates and replaces a file, leaving no temp file behind', async () => {
    const target = join(dir, 'settings.json');
    await writeFileAtomic(target, 'one');
    await writeFileAtomic(target, Buffer.from('two'));
    expect(await readFile(target, 'utf8')).toBe('two');
    expect(await readdir(dir)).toEqual(['settings.json']);
  });

  it.skipIf(process.platform === 'win32')('sets the mode exactly, 0600 by default, regardless of the old file', async () => {
    const target = join(dir, 'settings.json');
    await writeFile(target, 'old', { mode: 0o644 });
    await writeFileAtomic(target, 'new');
    expect((await stat(target)).mode & 0o777).toBe(0o600);
    await writeFileAtomic(target, 'new', { mode: 0o640 });
    expect((await stat(target)).mode & 0o777).toBe(0o640);
  });

  it('removes its temp file and keeps the target when the rename fails', async () => {
    // A directory cannot be replaced by a file: the rename fails after the temp file was written.
    const target = join(dir, 'occupied');
    await mkdir(target);
    await writeFile(join(target, 'inside'), 'keep');
    await expect(writeFileAtomic(target, 'data')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['occupied']);
    expect(await readFile(join(target, 'inside'), 'utf8')).toBe('keep');
  });
});

describe('removeStaleTempFiles', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qcc-atomic-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("removes a dead writer's temp files and keeps a live one's and other files", async () => {
    const target = join(dir, 'settings.json');
    const dead = `.settings.json.${DEAD_PID}.abc123.tmp`;
    const live = `.settings.json.${process.pid}.def456.tmp`;
    const otherTarget = `.settings.json.bak.${DEAD_PID}.abc123.tmp`;
    for (const name of [dead, live, otherTarget, 'settings.json']) await writeFile(join(dir, name), 'x');
    expect(await removeStaleTempFiles(target)).toBe(1);
    expect((await readdir(dir)).sort()).toEqual([otherTarget, live, 'settings.json'].sort());
  });
});

describe('a writer killed mid-write', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qcc-kill-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('always leaves a settings file that parses and validates', async () => {
    const kills = 10;
    for (let round = 0; round < kills; round++) {
      // Each round starts where the last killed writer left off, including its stale lock.
      const firstGeneration = round * 1_000_000;
      const child = spawnTsChild('settings-writer-child.ts', [dir, 'churn', String(firstGeneration)]);
      expect(await child.next()).toEqual({ ready: true });
      await sleep(10 + Math.random() * 60);
      child.process.kill('SIGKILL');
      expect((await child.exited).signal).toBe('SIGKILL');

      const repo = new JsonSettingsRepository({ dir, clock: new SystemClock() });
      const { settings, problems } = await repo.load();
      expect(problems).toEqual([]);
      expect(settings.configs).toHaveLength(CHURN_CONFIGS);
      // One whole document, never a mix of two writes, and one this round's writer made.
      const generations = new Set(settings.configs.map((config) => Number(config.description.split(' ')[1])));
      expect(generations.size).toBe(1);
      expect([...generations][0]).toBeGreaterThan(firstGeneration);
      // The killed writer's temp file, if any, was swept by load(); no corrupt copies.
      const leftovers = (await readdir(dir)).filter((name) => name.endsWith('.tmp') || name.includes('corrupt'));
      expect(leftovers).toEqual([]);
      JSON.parse(await readFile(join(dir, 'settings.json.bak'), 'utf8'));
    }
  });
});
