/**
 * Child process: QCC's proxy as a host runs it — a real engine (in-memory
 * ports, system clock, a 1 s tick) with one primary config whose endpoint is
 * the fake upstream, and the ProxyServer in front.
 *
 * With `--static-plan` (a diagnostic target) the ProxyServer gets the plan the
 * engine made once, for every request, and reports go nowhere: the engine's
 * per-request work (plan → settle, report → recordOutcome → settle) is gone,
 * everything else is the same. Usage: child-qcc.ts UPSTREAM_URL [--static-plan]
 */
import { Engine } from '../src-main/engine/core/engine.js';
import { MemoryEventLog, MemorySettingsRepository, RecordingNotifier, SequentialIds } from '../src-main/engine/core/testing/fakes.js';
import { ProxyServer, type ProxiedRequestLog, type ProxyEngine } from '../src-main/engine/node/proxy/proxy-server.js';
import { SystemClock } from '../src-main/engine/node/system-clock.js';
import { BENCH_TOKEN, announceReady, serveCommands } from './protocol.js';

const upstream = process.argv[2];
if (!upstream) throw new Error('usage: child-qcc.ts UPSTREAM_URL');

const engine = await Engine.start({
  clock: new SystemClock(),
  ids: new SequentialIds(),
  settings: new MemorySettingsRepository(),
  events: new MemoryEventLog(),
  notifier: new RecordingNotifier(),
});
await engine.invoke('config:add', { name: 'bench', tier: 'primary', endpoints: [{ base_url: upstream, api_key: 'sk-ant-bench-upstream-key-000000' }] });

// A host drives time-based rules with a timer and keeps a request log; both cost what they cost in production.
const tick = setInterval(() => engine.tick(), 1_000);
tick.unref();
/** The engine's first plan, reused for every request; reports are dropped. */
function staticPlan(engine: Engine): ProxyEngine {
  const plan = { candidates: engine.plan().candidates, report: () => undefined };
  return {
    plan: () => plan,
    get policy() {
      return engine.policy;
    },
  };
}

const recent = new Array<ProxiedRequestLog>(1_000);
let next = 0;
const proxy = new ProxyServer({
  engine: process.argv.includes('--static-plan') ? staticPlan(engine) : engine,
  token: BENCH_TOKEN,
  onRequest: (entry) => {
    recent[next] = entry;
    next = (next + 1) % recent.length;
  },
});
await proxy.listen(0);

serveCommands(
  () => Promise.reject(new Error('the proxy takes no load commands')),
  () => proxy.close(),
);
announceReady(proxy.url);
