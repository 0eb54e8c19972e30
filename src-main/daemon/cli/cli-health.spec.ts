import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeUpstreams } from './testing/fake-upstreams.js';
import { sandbox } from './testing/run-cli.js';

// `qcc health` probes every endpoint now, against real (fake) upstreams running
// in this test process; the CLI runs as a real subprocess.

const GOOD_KEY = 'sk-ant-api03-health-good-Kx19';
const BEARER_KEY = 'sk-ant-api03-health-bearer-Bq55';
const REJECTED_KEY = 'sk-ant-api03-health-rejected-Rj02';

// The fakes check the key, so "healthy" also proves the CLI sent the right key in the right header.
const upstreams = fakeUpstreams({ good: { apiKey: GOOD_KEY }, bearer: { apiKey: BEARER_KEY }, rejecting: {} });
beforeAll(async () => {
  await upstreams.start();
  await upstreams.fakes.rejecting.setFault({ kind: 'unauthorized' });
});
afterAll(upstreams.stop);

interface HealthJson {
  overall: string;
  active: string | null;
  configs: {
    name: string;
    tier: string;
    active: boolean;
    health: { status: string; healthy_endpoints: number; total_endpoints: number; health_percentage: number };
    endpoints: { id: string; base_url: string; key_hint: string; health: { state: string; credential_rejected: boolean; last_error: string | null } }[];
  }[];
}

describe.concurrent('qcc health (subprocess, against fake upstreams)', { timeout: 60_000 }, () => {
  it('shows a healthy endpoint as healthy and a rejected key as "key rejected"; --json has the same', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    const { good, bearer, rejecting } = upstreams.fakes;
    await box.ok(['add', 'healthy', '--base-url', good.url, '--api-key', GOOD_KEY]);
    await Promise.all([
      box.ok(['add', 'via-bearer', '--base-url', bearer.url, '--api-key', BEARER_KEY, '--auth', 'bearer']),
      box.ok(['add', 'rejected', '--base-url', rejecting.url, '--api-key', REJECTED_KEY]),
    ]);
    await box.ok(['priority', 'set', 'rejected', 'fallback']);

    const human = await box.run(['health']);
    expect(human.code, human.describe()).toBe(0);
    expect(human.stderr).toBe('');
    expect(human.stdout).toMatch(/^Overall: ok \(active: healthy\)$/m);
    expect(human.stdout).toMatch(/^⭐ healthy \(active\) .* 100% {2}healthy$/m);
    expect(human.stdout).toMatch(/^⭐ via-bearer .* 100% {2}healthy$/m);
    expect(human.stdout).toMatch(/^🟡 rejected .* unhealthy$/m);
    expect(human.stdout).toMatch(new RegExp(`^ {4}\\S+ {2}${rejecting.url.replace(/[.]/g, '\\.')} {2}key rejected`, 'm'));
    for (const key of [GOOD_KEY, BEARER_KEY, REJECTED_KEY]) expect(human.stdout).not.toContain(key);

    const json = await box.json<HealthJson>(['health', '--json']);
    expect(json.overall).toBe('ok');
    expect(json.active).toBe('healthy');
    expect(json.configs.map((config) => [config.name, config.health.status])).toEqual([
      ['healthy', 'healthy'],
      ['via-bearer', 'healthy'],
      ['rejected', 'unhealthy'],
    ]);
    const rejected = json.configs.find((config) => config.name === 'rejected');
    expect(rejected?.health).toMatchObject({ healthy_endpoints: 0, total_endpoints: 1 });
    expect(rejected?.endpoints[0]?.health.credential_rejected).toBe(true);
    expect(rejected?.endpoints[0]?.key_hint).toMatch(/Rj02$/);
    const healthy = json.configs.find((config) => config.name === 'healthy');
    expect(healthy?.endpoints[0]?.health).toMatchObject({ credential_rejected: false, state: 'closed' });
    expect(JSON.stringify(json)).not.toMatch(/api_key|sk-ant-api03-health/);

    // The probes really reached the fakes, with each key in its own header (the fakes enforce it).
    expect(good.received.some((request) => request.headers['x-api-key'] === GOOD_KEY)).toBe(true);
    expect(bearer.received.some((request) => request.headers.authorization === `Bearer ${BEARER_KEY}`)).toBe(true);
  });

  it('with no configs says so and exits 0', async ({ onTestFinished }) => {
    const box = await sandbox(onTestFinished);
    const [human, json] = await Promise.all([box.run(['health']), box.json<HealthJson>(['health', '--json'])]);
    expect(human.code, human.describe()).toBe(0);
    expect(human.stdout).toContain('No configs to check.');
    expect(json).toEqual({ overall: 'idle', active: null, configs: [] });
  });
});
