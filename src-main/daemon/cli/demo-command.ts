import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { request } from 'undici';
import type { Fault } from '../../fake-upstream/fault.js';
import { FakeAnthropic } from '../../fake-upstream/fake-anthropic.js';
import { loadOrCreateToken } from '../../engine/node/access-token.js';
import { startDaemon, type RunningDaemon } from '../daemon.js';
import { UsageError, intOption, parse } from './args.js';
import type { CliContext } from './context.js';
import { formatHistory, formatPriorityList } from './format.js';

/** The demo's upstreams: name → which config and tier it serves. */
const UPSTREAMS = [
  { name: 'prod-a', config: 'production', tier: 'primary' },
  { name: 'prod-b', config: 'production', tier: 'primary' },
  { name: 'backup', config: 'backup', tier: 'secondary' },
  { name: 'emergency', config: 'emergency', tier: 'fallback' },
] as const;

/** Ways to break an upstream, by the name the user types. */
const BREAKS: Record<string, Fault> = {
  down: { kind: 'refuse' },
  overloaded: { kind: 'overloaded' },
  '500': { kind: 'status', status: 500 },
  ratelimit: { kind: 'rate_limited', retryAfterSeconds: 20 },
  badkey: { kind: 'unauthorized' },
  hang: { kind: 'hang' },
};

const HELP = `Commands:
  send [N]                  send N requests (default 1) through the proxy; shows who served each
  break UPSTREAM [HOW]      break prod-a, prod-b, backup or emergency; HOW: ${Object.keys(BREAKS).join(', ')} (default down)
  heal UPSTREAM             make it healthy again
  status                    the priority list with health
  history                   failover history
  help                      this text
  quit                      stop the demo`;

/**
 * `qcc demo`: three tiers of fake upstreams and a real daemon in a throw-away
 * data directory, with fast policy timers, so a newcomer can break and heal
 * upstreams and watch failover and recovery within a minute — no real key.
 */
export async function demoCommand(argv: string[], context: CliContext): Promise<void> {
  const { values } = parse('demo', argv, { port: { type: 'string' }, 'admin-port': { type: 'string' } }, { min: 0, max: 0, names: '' });
  const port = intOption('demo', 'port', values.port, 0, 65_535) ?? 0;
  const adminPort = intOption('demo', 'admin-port', values['admin-port'], 0, 65_535) ?? 0;

  const dataDir = await mkdtemp(join(tmpdir(), 'qcc-demo-'));
  const upstreams = new Map<string, FakeAnthropic>();
  let daemon: RunningDaemon | null = null;
  try {
    for (const spec of UPSTREAMS) upstreams.set(spec.name, await FakeAnthropic.start({ name: spec.name, record: false, chunkDelayMs: 5 }));
    daemon = await startDaemon({
      dataDir,
      port,
      adminPort,
      onNotification: (notification) => context.out(`🔔 ${notification.title}: ${notification.body}`),
    });
    const { engine } = daemon.host;
    await engine.invoke('policy:update', {
      auto_recovery_enabled: true,
      failure_threshold: 2,
      success_threshold: 2,
      check_interval: 5,
      cooldown_period: 10,
      recovery_delay: 10,
      ejection_base_time: 5,
      ejection_max_time: 30,
    });
    for (const spec of UPSTREAMS) {
      const upstream = upstreams.get(spec.name) as FakeAnthropic;
      const endpoint = { base_url: upstream.url, api_key: `sk-demo-${spec.name}-not-a-real-key` };
      const exists = engine.snapshot().tiers.some((group) => group.configs.some((config) => config.name === spec.config));
      if (exists) await engine.invoke('endpoint:add', { config: spec.config, ...endpoint });
      else await engine.invoke('config:add', { name: spec.config, tier: spec.tier, description: `demo ${spec.tier}`, endpoints: [endpoint] });
    }
    engine.on('history:appended', (event) => context.out(`📝 ${event.event_type.toUpperCase()}: ${event.from_config ?? '-'} → ${event.to_config ?? '-'} (${event.reason})`));

    const token = await loadOrCreateToken(dataDir, 'proxy-token');
    context.out(`QCC demo — fake upstreams, real engine (data in ${dataDir})`);
    context.out(`  Proxy:     ${daemon.proxyUrl}   (token: ${token})`);
    context.out(`  Dashboard: ${daemon.dashboardUrl}`);
    context.out(`  Other terminal: QCC_HOME=${dataDir} qcc priority list`);
    context.out('');
    context.out('Try: send · break prod-a · break prod-b · send 3 · status · heal prod-a · heal prod-b · (wait ~15 s) · history');
    context.out(HELP);

    const proxyUrl = daemon.proxyUrl;
    const send = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        const response = await request(`${proxyUrl}/v1/messages`, {
          method: 'POST',
          headers: { 'x-api-key': token, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
          body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 32, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
        });
        const text = await response.body.text();
        const ok = response.statusCode === 200 && text.includes('message_stop');
        const ms = Math.round(performance.now() - started);
        context.out(
          `→ ${ok ? '✓' : '✗'} ${response.statusCode} served by ${response.headers['x-qcc-config'] ?? '-'} (${response.headers['x-qcc-attempts'] ?? '?'} attempt(s), ${ms} ms)`,
        );
      }
    };

    const lines = createInterface({ input: process.stdin, terminal: false });
    context.out('demo> ');
    for await (const line of lines) {
      const [word, ...args] = line.trim().split(/\s+/);
      try {
        if (!word) continue;
        if (word === 'quit' || word === 'exit') break;
        else if (word === 'help') context.out(HELP);
        else if (word === 'send') await send(Math.min(Number(args[0] ?? 1) || 1, 50));
        else if (word === 'status') context.out(formatPriorityList(engine.snapshot()));
        else if (word === 'history') context.out(formatHistory(await engine.invoke('history:query', { limit: 20 })));
        else if (word === 'break' || word === 'heal') {
          const upstream = upstreams.get(args[0] ?? '');
          if (!upstream) throw new UsageError(`no upstream '${args[0] ?? ''}'; choose ${[...upstreams.keys()].join(', ')}`, 'demo');
          if (word === 'heal') {
            await upstream.clearFault();
            context.out(`✓ ${args[0]} healed`);
          } else {
            const fault = BREAKS[args[1] ?? 'down'];
            if (!fault) throw new UsageError(`unknown way to break '${args[1]}'; choose ${Object.keys(BREAKS).join(', ')}`, 'demo');
            await upstream.setFault(fault);
            context.out(`✗ ${args[0]} broken (${args[1] ?? 'down'})`);
          }
        } else context.out(`unknown command '${word}' (try help)`);
      } catch (error) {
        context.err(`demo: ${(error as Error).message}`);
      }
      context.out('demo> ');
    }
  } finally {
    // readline leaves stdin open; without this the process would not exit after `quit`.
    process.stdin.destroy();
    await daemon?.stop();
    await Promise.all([...upstreams.values()].map((upstream) => upstream.stop()));
    await rm(dataDir, { recursive: true, force: true });
    context.out('Demo stopped.');
  }
}
