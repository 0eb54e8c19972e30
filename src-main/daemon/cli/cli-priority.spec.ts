import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../src-shared/model/policy.js';
import { SandboxTemplate, assertCliError, sandbox, type CliSandbox, type OnTestFinished } from './testing/run-cli.js';

// `qcc priority set | list | policy | switch | unpin | history`, run as a real
// subprocess against a temporary $QCC_HOME. Human output follows the seed's
// examples (tier icons, `(active)`, history blocks), in English.

// production (primary), staging (secondary), emergency (fallback), as in the seed's example;
// built once with real commands (by the first test that needs it, so the others need not wait),
// then copied into each test's own $QCC_HOME.
const threeTiers = new SandboxTemplate(async (box) => {
  await box.ok(['add', 'production', '--base-url', 'https://api.anthropic.com', '--api-key', 'sk-ant-api03-prio-prod-1111']);
  // Commands from two terminals at once are fine (the settings store serialises writers), so the rest goes in parallel.
  await Promise.all([
    box.ok(['add', 'staging', '--base-url', 'https://staging.example.com', '--api-key', 'sk-ant-api03-prio-stag-2222']),
    box.ok(['add', 'emergency', '--base-url', 'https://emergency.example.com', '--api-key', 'sk-ant-api03-prio-emer-3333']),
  ]);
  await Promise.all([box.ok(['priority', 'set', 'staging', 'secondary']), box.ok(['priority', 'set', 'emergency', 'fallback'])]);
});
afterAll(() => threeTiers.dispose());

async function seeded(onTestFinished: OnTestFinished): Promise<CliSandbox> {
  return (await threeTiers.copy(onTestFinished)).box;
}

interface PriorityJson {
  active: string | null;
  pinned: boolean;
  tiers: {
    tier: string;
    enabled: boolean;
    configs: { name: string; position: number; active: boolean; health: { status: string; healthy_endpoints: number; total_endpoints: number } }[];
  }[];
}

interface EventJson {
  event_id: string;
  event_type: string;
  from_config: string | null;
  to_config: string | null;
  reason: string;
  timestamp: string;
  success: boolean;
}

const SEED_EVENT_FIELDS = ['event_id', 'event_type', 'from_config', 'to_config', 'reason', 'timestamp', 'success'].sort();

describe.concurrent('qcc priority set / list (subprocess)', { timeout: 60_000 }, () => {
  it('list (human) follows the seed: ⭐/🔵/🟡 tiers with [✓], configs as bullets, (active) marker', async ({ onTestFinished }) => {
    const box = await seeded(onTestFinished);
    const result = await box.run(['priority', 'list']);
    expect(result.code, result.describe()).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    const at = (pattern: RegExp) => {
      const index = lines.findIndex((line) => pattern.test(line));
      expect(index, `no line matches ${pattern}:\n${result.stdout}`).toBeGreaterThanOrEqual(0);
      return index;
    };
    const primary = at(/^⭐ PRIMARY \[✓\]$/);
    const production = at(/^ {2}• production \(active\)/);
    const secondary = at(/^🔵 SECONDARY \[✓\]$/);
    const staging = at(/^ {2}• staging(?! \(active)/);
    const fallback = at(/^🟡 FALLBACK \[✓\]$/);
    const emergency = at(/^ {2}• emergency(?! \(active)/);
    expect([primary, production, secondary, staging, fallback, emergency]).toEqual([...[primary, production, secondary, staging, fallback, emergency]].sort((a, b) => a - b));
    expect(result.stdout).toContain('Active config: production');
    // English only: no CJK text from the seed's Chinese output.
    expect(result.stdout).not.toMatch(/[\u3000-\u9fff]/);
  });

  it('list --json has active, pinned and the tiers with their configs’ names and health', async ({ onTestFinished }) => {
    const box = await seeded(onTestFinished);
    const json = await box.json<PriorityJson>(['priority', 'list', '--json']);
    expect(json.active).toBe('production');
    expect(json.pinned).toBe(false);
    expect(json.tiers.map((group) => group.tier)).toEqual(['primary', 'secondary', 'fallback', 'disabled']);
    const names = Object.fromEntries(json.tiers.map((group) => [group.tier, group.configs.map((config) => config.name)]));
    expect(names).toEqual({ primary: ['production'], secondary: ['staging'], fallback: ['emergency'], disabled: [] });
    for (const group of json.tiers) {
      expect(typeof group.enabled).toBe('boolean');
      for (const config of group.configs) {
        expect(config.health).toMatchObject({ status: expect.any(String), healthy_endpoints: 1, total_endpoints: 1 });
      }
    }
    expect(json.tiers[0]?.configs[0]).toMatchObject({ name: 'production', active: true, position: 0 });
  });

  it('set moves a config between tiers (disabled too); a bad tier is a usage error, an unknown config exit 1', async ({ onTestFinished }) => {
    const box = await seeded(onTestFinished);
    const moved = await box.run(['priority', 'set', 'staging', 'disabled']);
    expect(moved.code, moved.describe()).toBe(0);
    expect(moved.stdout).toContain("✓ 'staging' is now a disabled config");
    const json = await box.json<PriorityJson>(['priority', 'list', '--json']);
    expect(json.tiers.find((group) => group.tier === 'disabled')?.configs.map((config) => config.name)).toEqual(['staging']);
    expect(json.tiers.find((group) => group.tier === 'secondary')?.configs).toEqual([]);

    const [badTier, unknown] = await Promise.all([box.run(['priority', 'set', 'staging', 'tertiary']), box.run(['priority', 'set', 'nope', 'primary'])]);
    assertCliError(badTier, 2, 'tertiary', 'primary, secondary, fallback, disabled');
    assertCliError(unknown, 1, 'nope');
  });
});

describe.concurrent('qcc priority policy (subprocess)', { timeout: 60_000 }, () => {
  it('without flags prints every knob; --json is the whole policy with the defaults', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    const [human, json] = await Promise.all([box.run(['priority', 'policy']), box.json<Record<string, unknown>>(['priority', 'policy', '--json'])]);
    expect(human.code, human.describe()).toBe(0);
    expect(human.stdout).toContain('Failover policy:');
    for (const label of [
      'Auto failover:',
      'Auto recovery:',
      'Failure threshold:',
      'Success threshold:',
      'Check interval:',
      'Cooldown:',
      'Recovery delay:',
      'Max failovers per hour:',
      'Notify on failover:',
      'Notify on recovery:',
    ]) {
      expect(human.stdout).toContain(label);
    }
    expect(human.stdout).toMatch(/Failure threshold:\s+3 failures/);
    expect(human.stdout).toMatch(/Check interval:\s+60 s/);
    expect(json).toEqual({ ...DEFAULT_POLICY });
  });

  it('flags update the policy and it persists (seen by a second invocation)', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    const update = await box.run([
      'priority',
      'policy',
      '--failure-threshold',
      '5',
      '--success-threshold',
      '2',
      '--check-interval',
      '30',
      '--cooldown',
      '60',
      '--recovery-delay',
      '120',
      '--max-failovers-per-hour',
      '4',
      '--no-auto-failover',
      '--auto-recovery',
      '--no-notify-on-failover',
      '--no-notify-on-recovery',
    ]);
    expect(update.code, update.describe()).toBe(0);
    expect(update.stdout).toContain('✓ Failover policy updated');
    expect(update.stdout).toMatch(/Failure threshold:\s+5 failures/);

    const expected = {
      ...DEFAULT_POLICY,
      failure_threshold: 5,
      success_threshold: 2,
      check_interval: 30,
      cooldown_period: 60,
      recovery_delay: 120,
      max_failovers_per_hour: 4,
      auto_failover_enabled: false,
      auto_recovery_enabled: true,
      notify_on_failover: false,
      notify_on_recovery: false,
    };
    expect(await box.json(['priority', 'policy', '--json'])).toEqual(expected);

    // One flag changes one knob; the rest stays as set.
    const back = await box.json(['priority', 'policy', '--auto-failover', '--json']);
    expect(back).toEqual({ ...expected, auto_failover_enabled: true });
  });

  it('an out-of-range value fails with exit 1 naming the knob, and changes nothing', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    const cases: [string[], string][] = [
      [['--failure-threshold', '500'], 'failure_threshold'],
      [['--check-interval', '1'], 'check_interval'],
      [['--max-failovers-per-hour', '0', '--no-auto-failover'], 'max_failovers_per_hour'],
    ];
    const results = await Promise.all(cases.map(([flags]) => box.run(['priority', 'policy', ...flags])));
    results.forEach((result, index) => assertCliError(result, 1, cases[index]?.[1] ?? ''));
    expect(await box.json(['priority', 'policy', '--json'])).toEqual({ ...DEFAULT_POLICY });
  });

  it('a value that is not a whole number is a usage error naming the flag', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    assertCliError(await box.run(['priority', 'policy', '--cooldown', '1.5']), 2, '--cooldown', '1.5');
  });
});

describe.concurrent('qcc priority switch / unpin / history (subprocess)', { timeout: 60_000 }, () => {
  it('switch --reason pins the config and is recorded as a MANUAL history entry; unpin releases it', async ({ onTestFinished }) => {
    const box = await seeded(onTestFinished);
    const empty = await box.run(['priority', 'history']);
    expect(empty.code, empty.describe()).toBe(0);
    expect(empty.stdout).toContain('No failover history yet.');

    const switched = await box.run(['priority', 'switch', 'staging', '--reason', 'planned maintenance on production']);
    expect(switched.code, switched.describe()).toBe(0);
    expect(switched.stdout).toContain('✓ Switched production → staging');
    expect(switched.stdout).toContain('Reason: planned maintenance on production');

    const [pinned, list, history] = await Promise.all([
      box.json<PriorityJson>(['priority', 'list', '--json']),
      box.ok(['priority', 'list']),
      box.run(['priority', 'history']),
    ]);
    expect(pinned).toMatchObject({ active: 'staging', pinned: true });
    expect(list).toMatch(/^ {2}• staging \(active, pinned\)/m);
    expect(list).toMatch(/^ {2}• production(?! \(active)/m);
    expect(history.code, history.describe()).toBe(0);
    expect(history.stdout).toContain('👤 MANUAL');
    expect(history.stdout).toMatch(/^ {3}Time: {3}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/m);
    expect(history.stdout).toMatch(/^ {3}From: {3}production$/m);
    expect(history.stdout).toMatch(/^ {3}To: {5}staging$/m);
    expect(history.stdout).toMatch(/^ {3}Reason: planned maintenance on production$/m);

    const unpinned = await box.run(['priority', 'unpin']);
    expect(unpinned.code, unpinned.describe()).toBe(0);
    expect(unpinned.stdout).toContain('✓ Unpinned');
    expect(await box.json<PriorityJson>(['priority', 'list', '--json'])).toMatchObject({ pinned: false });
  });

  it('switch to an unknown config fails with exit 1; to the active one just pins it', async ({ onTestFinished }) => {
    const box = await seeded(onTestFinished);
    assertCliError(await box.run(['priority', 'switch', 'nope', '--reason', 'x']), 1, 'nope');
    const same = await box.run(['priority', 'switch', 'production']);
    expect(same.code, same.describe()).toBe(0);
    expect(same.stdout).toContain('already active');
    expect(await box.json<PriorityJson>(['priority', 'list', '--json'])).toMatchObject({ active: 'production', pinned: true });
  });

  it('history --json is an array of events with the seed’s field names, newest first; --limit bounds it', async ({ onTestFinished }) => {
    const box = await seeded(onTestFinished);
    await box.ok(['priority', 'switch', 'staging', '--reason', 'first']);
    await box.ok(['priority', 'switch', 'emergency', '--reason', 'second']);
    await box.ok(['priority', 'switch', 'production', '--reason', 'third']);

    const events = await box.json<EventJson[]>(['priority', 'history', '--json']);
    expect(Array.isArray(events)).toBe(true);
    expect(events.map((event) => event.reason)).toEqual(['third', 'second', 'first']);
    for (const event of events) {
      expect(Object.keys(event).sort()).toEqual(SEED_EVENT_FIELDS);
      expect(event).toMatchObject({ event_type: 'manual', success: true, event_id: expect.any(String) });
      expect(new Date(event.timestamp).toISOString()).toBe(event.timestamp);
    }
    expect(events[0]).toMatchObject({ from_config: 'emergency', to_config: 'production' });
    expect(events[2]).toMatchObject({ from_config: 'production', to_config: 'staging' });
    const times = events.map((event) => Date.parse(event.timestamp));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const [limited, human, zero] = await Promise.all([
      box.json<EventJson[]>(['priority', 'history', '--limit', '2', '--json']),
      box.run(['priority', 'history', '-n', '1']),
      box.run(['priority', 'history', '--limit', '0']),
    ]);
    expect(limited.map((event) => event.reason)).toEqual(['third', 'second']);
    expect(human.code, human.describe()).toBe(0);
    expect(human.stdout).toContain('Failover history (latest 1):');
    expect(human.stdout).toContain('Reason: third');
    expect(human.stdout).not.toContain('Reason: second');
    assertCliError(zero, 2, '--limit', 'between 1 and 1000');
  });
});
