/**
 * A second (and third) real process for the settings repository specs.
 *
 *   settings-writer-child.ts <dir> churn [first-generation]
 *     rewrites settings.json with a large document, numbered from
 *     first-generation up, in a tight loop until killed; prints {"ready":true}
 *     after the second write.
 *   settings-writer-child.ts <dir> add <prefix> <count> [flip-policy]
 *     prints {"ready":true}, waits for a line on stdin, then performs <count>
 *     updates each adding config <prefix>-<i> to the primary tier; with
 *     flip-policy, one update in the middle sets policy.failure_threshold to 7.
 *     Prints {"started":t0,"finished":t1} (epoch ms) when done.
 */
import type { Config } from '../../../../src-shared/model/config.js';
import type { Settings } from '../../../../src-shared/model/settings.js';
import { JsonSettingsRepository } from '../json-settings-repository.js';
import { SystemClock } from '../system-clock.js';
import { CHURN_CONFIGS } from './settings-fixtures.js';

const CHURN_ENDPOINTS = 10;

function say(message: object): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** ~100 KB, so a non-atomic write would be caught half-done by a SIGKILL. */
function churnDocument(current: Settings, generation: number): Settings {
  const configs: Config[] = [];
  for (let c = 0; c < CHURN_CONFIGS; c++) {
    configs.push({
      name: `churn-${c}`,
      description: `generation ${generation} `.padEnd(400, 'x'),
      endpoints: Array.from({ length: CHURN_ENDPOINTS }, (_, e) => ({
        id: `ep-${e}`,
        base_url: `https://upstream-${c}-${e}.example.com/v1/generation/${generation}`,
        api_key: `sk-test-${String(generation).padStart(12, '0')}-${c}-${e}`.padEnd(64, 'k'),
        auth_style: 'x-api-key' as const,
        enabled: true,
      })),
      message_probe: null,
    });
  }
  return {
    ...current,
    configs,
    tiers: { primary: configs.map((config) => config.name), secondary: [], fallback: [], disabled: [] },
    active_config: configs[0]?.name ?? null,
  };
}

async function churn(repo: JsonSettingsRepository, first: number): Promise<never> {
  for (let generation = first; ; generation++) {
    await repo.update((current) => churnDocument(current, generation));
    // After the second write both settings.json and its .bak exist.
    if (generation === first + 1) say({ ready: true });
  }
}

async function add(repo: JsonSettingsRepository, prefix: string, count: number, flipPolicy: boolean): Promise<void> {
  say({ ready: true });
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  const started = Date.now();
  for (let i = 0; i < count; i++) {
    const name = `${prefix}-${i}`;
    await repo.update((current) => {
      const next: Settings = {
        ...current,
        configs: [...current.configs, { name, description: `added by ${prefix}`, endpoints: [], message_probe: null }],
        tiers: { ...current.tiers, primary: [...current.tiers.primary, name] },
      };
      if (flipPolicy && i === Math.floor(count / 2)) next.policy = { ...current.policy, failure_threshold: 7 };
      return next;
    });
  }
  say({ started, finished: Date.now() });
  process.stdin.destroy();
}

const [dir, mode, prefix, count, flag] = process.argv.slice(2);
if (!dir) throw new Error('usage: settings-writer-child.ts <dir> churn [first-generation] | add <prefix> <count> [flip-policy]');
const repo = new JsonSettingsRepository({ dir, clock: new SystemClock(), lockTimeoutMs: 20_000 });
if (mode === 'churn') await churn(repo, Number(prefix ?? 0));
else if (mode === 'add' && prefix && count) await add(repo, prefix, Number(count), flag === 'flip-policy');
else throw new Error(`unknown mode ${String(mode)}`);
