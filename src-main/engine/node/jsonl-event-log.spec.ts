import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../../src-shared/contract/errors.js';
import type { FailoverEvent } from '../../../src-shared/model/event.js';
import { JsonlEventLog } from './jsonl-event-log.js';
import { spawnTsChild } from './testing/spawn-child.js';

function event(n: number, reason = `event ${n}`): FailoverEvent {
  return {
    event_id: `ev-${n}`,
    event_type: n % 2 ? 'failover' : 'recovery',
    from_config: 'work',
    to_config: n % 3 ? 'personal' : null,
    reason,
    timestamp: new Date(Date.UTC(2024, 0, 1) + n * 1000).toISOString(),
    success: true,
  };
}

async function lineCount(file: string): Promise<number> {
  return (await readFile(file, 'utf8')).split('\n').filter(Boolean).length;
}

describe('JsonlEventLog', () => {
  let dir: string;
  let log: JsonlEventLog;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qcc-events-'));
    log = new JsonlEventLog({ dir });
    file = join(dir, 'events.jsonl');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is empty before the first append', async () => {
    expect(await log.recent(10)).toEqual([]);
    expect(await log.all()).toEqual([]);
  });

  it('returns recent events newest first, and all() oldest first', async () => {
    for (let n = 0; n < 5; n++) await log.append(event(n));
    expect((await log.recent(3)).map((e) => e.event_id)).toEqual(['ev-4', 'ev-3', 'ev-2']);
    expect((await log.recent(100)).map((e) => e.event_id)).toEqual(['ev-4', 'ev-3', 'ev-2', 'ev-1', 'ev-0']);
    expect(await log.recent(0)).toEqual([]);
    expect(await log.all()).toEqual([0, 1, 2, 3, 4].map((n) => event(n)));
  });

  it('keeps call order for appends not awaited one by one', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, n) => log.append(event(n))));
    expect((await log.all()).map((e) => e.event_id)).toEqual(Array.from({ length: 20 }, (_, n) => `ev-${n}`));
  });

  it('writes one JSON line per event to an owner-only file', async () => {
    await log.append(event(1));
    await log.append(event(2));
    expect(await readFile(file, 'utf8')).toBe(`${JSON.stringify(event(1))}\n${JSON.stringify(event(2))}\n`);
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('survives a restart', async () => {
    for (let n = 0; n < 3; n++) await log.append(event(n));
    const restarted = new JsonlEventLog({ dir });
    expect((await restarted.recent(10)).map((e) => e.event_id)).toEqual(['ev-2', 'ev-1', 'ev-0']);
    await restarted.append(event(3));
    expect((await log.recent(1))[0]?.event_id).toBe('ev-3');
  });

  it('rejects an invalid event with invalid_argument naming the field, writing nothing', async () => {
    const error = await log.append({ ...event(1), timestamp: 'yesterday' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: 'invalid_argument' });
    expect((error as Error).message).toContain('event.timestamp');
    expect(await readdir(dir)).toEqual([]);
  });

  it('skips a torn last line, and the next append is not glued onto it', async () => {
    await log.append(event(1));
    // A crash in the middle of writing event 2.
    await appendFile(file, JSON.stringify(event(2)).slice(0, 40));
    const restarted = new JsonlEventLog({ dir });
    expect((await restarted.all()).map((e) => e.event_id)).toEqual(['ev-1']);

    await restarted.append(event(3));
    expect((await restarted.recent(10)).map((e) => e.event_id)).toEqual(['ev-3', 'ev-1']);
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines[2]).toBe(JSON.stringify(event(3)));
  });

  it('skips lines that are not events', async () => {
    await writeFile(file, `not json\n${JSON.stringify({ hello: 'world' })}\n\n${JSON.stringify(event(7))}\n`);
    expect(await log.all()).toEqual([event(7)]);
  });

  it('stays bounded: keeps exactly the newest maxEvents', async () => {
    for (let n = 0; n < 1250; n++) await log.append(event(n));
    const kept = await log.all();
    expect(kept).toHaveLength(1000);
    expect(kept[0]?.event_id).toBe('ev-250');
    expect(kept.at(-1)?.event_id).toBe('ev-1249');
    // Compaction ran (at 1201 lines) and the file stays within maxEvents + compactSlack.
    const lines = await lineCount(file);
    expect(lines).toBe(1049);
    expect((await new JsonlEventLog({ dir }).recent(1))[0]?.event_id).toBe('ev-1249');
    expect((await readdir(dir)).sort()).toEqual(['events.jsonl']);
  });

  it('compacts correctly when another instance appended since this one last looked', async () => {
    const small = { dir, maxEvents: 5, compactSlack: 2 };
    const a = new JsonlEventLog(small);
    const b = new JsonlEventLog(small);
    for (let n = 0; n < 12; n++) await (n % 3 ? a : b).append(event(n));
    expect((await a.all()).map((e) => e.event_id)).toEqual(['ev-7', 'ev-8', 'ev-9', 'ev-10', 'ev-11']);
    expect(await lineCount(file)).toBeLessThanOrEqual(7);
  });

  describe('two processes appending at once', () => {
    async function runAppenders(count: number, extra: string[]): Promise<void> {
      const children = ['p', 'q'].map((prefix) => spawnTsChild('event-appender-child.ts', [dir, prefix, String(count), ...extra]));
      for (const child of children) expect(await child.next()).toEqual({ ready: true });
      for (const child of children) child.process.stdin?.write('go\n');
      const done = (await Promise.all(children.map((child) => child.next()))) as { started: number; finished: number }[];
      await Promise.all(children.map((child) => child.exited));
      // They really overlapped; without events.lock, appends racing a compaction would be lost.
      expect(Math.max(...done.map((d) => d.started))).toBeLessThan(Math.min(...done.map((d) => d.finished)));
    }

    function reasonsOf(events: FailoverEvent[], prefix: string): number[] {
      return events.filter((e) => e.reason.startsWith(`${prefix}-`)).map((e) => Number(e.reason.slice(prefix.length + 1)));
    }

    it('lose nothing', async () => {
      await runAppenders(150, []);
      const events = await log.all();
      expect(events).toHaveLength(300);
      for (const prefix of ['p', 'q']) expect(reasonsOf(events, prefix)).toEqual(Array.from({ length: 150 }, (_, i) => i));
    });

    it('lose nothing to each other’s compactions', async () => {
      // Small slack: many compactions, all inside the window of events that is kept.
      await runAppenders(300, ['400', '5']);
      const events = await new JsonlEventLog({ dir, maxEvents: 400 }).all();
      expect(events).toHaveLength(400);
      // Whatever survived of each process is an unbroken run ending at its last event:
      // an append dropped by a concurrent compaction would leave a gap.
      for (const prefix of ['p', 'q']) {
        const kept = reasonsOf(events, prefix);
        if (kept.length === 0) continue;
        expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 300 - kept.length + i));
      }
      expect(events.at(-1)?.reason).toMatch(/^[pq]-299$/);
    });
  });
});
