/**
 * `node --import tsx bench/engine-plan-bench.ts`: the engine's per-request
 * work — `plan()` then one `report()` of a success, as the proxy does — side
 * by side in one run with two references on the same engine:
 *
 *   rebuild   what `plan()` did before it kept its plan: a fresh planner view,
 *             closures, candidate list and report closure per request
 *             (`planCandidates` over the same settings, breakers in the same
 *             state), then the same `recordOutcome`.
 *   report    `recordOutcome` alone: the floor no plan cache can go below.
 *
 * Prints ns per request (median of interleaved rounds) and the ratios. A
 * benchmark, not a test: nothing here asserts a time.
 */
import type { Config } from '../src-shared/model/config.js';
import { findConfig, type Settings } from '../src-shared/model/settings.js';
import { EndpointBreaker } from '../src-main/engine/core/endpoint-breaker.js';
import { Engine } from '../src-main/engine/core/engine.js';
import type { AttemptOutcome } from '../src-main/engine/core/outcome.js';
import { servingOrder } from '../src-main/engine/core/priority-manager.js';
import { planCandidates, type Candidate } from '../src-main/engine/core/request-planner.js';
import { MemoryEventLog, MemorySettingsRepository, RecordingNotifier, SequentialIds } from '../src-main/engine/core/testing/fakes.js';
import { SystemClock } from '../src-main/engine/node/system-clock.js';
import { median } from './stats.js';

const ROUNDS = 15;
const OPS_PER_ROUND = 100_000;
const SUCCESS: AttemptOutcome = { kind: 'success', latency_ms: 3 };

interface Scenario {
  name: string;
  configs: { name: string; tier: 'primary' | 'secondary' | 'fallback'; endpoints: number }[];
  /** Ejects the active config's second endpoint for an hour, so the plan carries an expiry. */
  ejectOne: boolean;
}

const SCENARIOS: Scenario[] = [
  { name: 'one config, one endpoint (npm run bench)', configs: [{ name: 'bench', tier: 'primary', endpoints: 1 }], ejectOne: false },
  {
    name: 'three tiers, five endpoints, one rate-limited',
    configs: [
      { name: 'main', tier: 'primary', endpoints: 2 },
      { name: 'backup', tier: 'secondary', endpoints: 2 },
      { name: 'last', tier: 'fallback', endpoints: 1 },
    ],
    ejectOne: true,
  },
];

type Request = () => void;

async function setUp(scenario: Scenario): Promise<{ engine: Request; rebuild: Request; report: Request }> {
  const clock = new SystemClock();
  const repository = new MemorySettingsRepository();
  const engine = await Engine.start({ clock, ids: new SequentialIds(), settings: repository, events: new MemoryEventLog(), notifier: new RecordingNotifier() });
  for (const config of scenario.configs) {
    await engine.invoke('config:add', {
      name: config.name,
      tier: config.tier,
      endpoints: Array.from({ length: config.endpoints }, (_, i) => ({ base_url: `http://127.0.0.1:${9_000 + i}`, api_key: `sk-ant-${config.name}-${i}-0123456789abcdef` })),
    });
  }
  const settings: Settings = repository.stored;
  const breakers = new Map<string, Map<string, EndpointBreaker>>();
  for (const config of settings.configs) breakers.set(config.name, new Map(config.endpoints.map((e) => [e.id, new EndpointBreaker(clock)])));
  if (scenario.ejectOne) {
    const first = settings.configs[0] as Config;
    const ejected = first.endpoints[1]?.id as string;
    const limited: AttemptOutcome = { kind: 'rate_limited', retry_after_ms: 3_600_000 };
    engine.recordOutcome(first.name, ejected, limited);
    breakers.get(first.name)?.get(ejected)?.record(limited, settings.policy);
  }
  await engine.whenPersisted();
  const order = servingOrder(settings);
  const breakerOf = (config: string, id: string) => breakers.get(config)?.get(id) as EndpointBreaker;

  return {
    engine: () => {
      const plan = engine.plan();
      plan.report(plan.candidates[0] as Candidate, SUCCESS);
    },
    rebuild: () => {
      const candidates = planCandidates({
        active: engine.activeConfig,
        order,
        policy: settings.policy,
        config: (name) => findConfig(settings, name),
        breaker: breakerOf,
      });
      const report = (candidate: Candidate, outcome: AttemptOutcome) => engine.recordOutcome(candidate.config, candidate.endpoint.id, outcome);
      report(candidates[0] as Candidate, SUCCESS);
    },
    report: (() => {
      const candidate = engine.plan().candidates[0] as Candidate;
      return () => engine.recordOutcome(candidate.config, candidate.endpoint.id, SUCCESS);
    })(),
  };
}

function nsPerOp(request: Request): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < OPS_PER_ROUND; i++) request();
  return Number(process.hrtime.bigint() - started) / OPS_PER_ROUND;
}

const fmt = (value: number) => value.toFixed(0).padStart(7);
const ratio = (value: number) => value.toFixed(2).padStart(6);

console.log(`engine plan()+report() per request: median of ${ROUNDS} interleaved rounds × ${OPS_PER_ROUND.toLocaleString('en')} requests, ${process.version}\n`);
console.log('scenario                                        engine ns  rebuild ns  report ns  engine/rebuild  engine/report');
for (const scenario of SCENARIOS) {
  const paths = await setUp(scenario);
  const samples = { engine: [] as number[], rebuild: [] as number[], report: [] as number[] };
  for (let round = 0; round < ROUNDS + 2; round++) {
    // Interleaved so drift (frequency, other load) hits every path alike; the first two rounds warm up the JIT.
    const engine = nsPerOp(paths.engine);
    const rebuild = nsPerOp(paths.rebuild);
    const report = nsPerOp(paths.report);
    if (round < 2) continue;
    samples.engine.push(engine);
    samples.rebuild.push(rebuild);
    samples.report.push(report);
  }
  const engine = median(samples.engine);
  const rebuild = median(samples.rebuild);
  const report = median(samples.report);
  console.log(`${scenario.name.padEnd(46)} ${fmt(engine)}    ${fmt(rebuild)}    ${fmt(report)}          ${ratio(engine / rebuild)}         ${ratio(engine / report)}`);
}
