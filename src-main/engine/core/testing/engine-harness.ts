import type { FailoverPolicyPatch } from '../../../../src-shared/model/policy.js';
import type { FailoverEvent } from '../../../../src-shared/model/event.js';
import type { Tier } from '../../../../src-shared/model/tier.js';
import { Engine } from '../engine.js';
import type { AttemptOutcome } from '../outcome.js';
import { FakeClock, MemoryEventLog, MemorySettingsRepository, RecordingNotifier, ScriptedProber, SequentialIds } from './fakes.js';

export interface HarnessConfig {
  name: string;
  tier: Tier;
  endpoints: number;
}

/** An engine on in-memory ports with a fake clock, plus helpers to drive it. */
export class EngineHarness {
  /** Every history entry the engine published, in order (storage is written asynchronously). */
  readonly recorded: FailoverEvent[] = [];

  private constructor(
    readonly engine: Engine,
    readonly clock: FakeClock,
    readonly events: MemoryEventLog,
    readonly notifier: RecordingNotifier,
    readonly repository: MemorySettingsRepository,
    readonly prober: ScriptedProber,
  ) {
    engine.on('history:appended', (event) => this.recorded.push(event));
  }

  static async create(policy: FailoverPolicyPatch, configs: HarnessConfig[], reuse?: EngineHarness): Promise<EngineHarness> {
    const clock = reuse?.clock ?? new FakeClock();
    const events = reuse?.events ?? new MemoryEventLog();
    const repository = reuse?.repository ?? new MemorySettingsRepository();
    const notifier = new RecordingNotifier();
    const prober = new ScriptedProber();
    const engine = await Engine.start({ clock, ids: new SequentialIds(), settings: repository, events, notifier, prober });
    if (Object.keys(policy).length > 0) await engine.invoke('policy:update', policy);
    for (const config of configs) {
      await engine.invoke('config:add', {
        name: config.name,
        tier: config.tier,
        endpoints: Array.from({ length: config.endpoints }, (_, index) => ({
          base_url: `https://${config.name}-${index}.example`,
          api_key: `sk-ant-${config.name}-${index}-0123456789abcdef`,
        })),
      });
    }
    return new EngineHarness(engine, clock, events, notifier, repository, prober);
  }

  /** Endpoint ids of a config, in order. */
  endpointIds(config: string): string[] {
    for (const tier of this.engine.snapshot().tiers) {
      const view = tier.configs.find((entry) => entry.name === config);
      if (view) return view.endpoints.map((endpoint) => endpoint.id);
    }
    throw new Error(`no config ${config}`);
  }

  /** Reports `outcome` `times` times on every endpoint of `config`. */
  report(config: string, outcome: AttemptOutcome, times = 1): void {
    for (let i = 0; i < times; i++) {
      for (const id of this.endpointIds(config)) this.engine.recordOutcome(config, id, outcome);
    }
  }

  /** Enough failures on every endpoint to eject them all. */
  kill(config: string): void {
    this.report(config, { kind: 'failure', detail: 'connect ECONNREFUSED', status: 0 }, this.engine.snapshot().policy.failure_threshold);
  }

  /** One successful check of every endpoint of `config`. */
  succeed(config: string, times = 1): void {
    this.report(config, { kind: 'success', latency_ms: 12 }, times);
  }

  eventTypes(): string[] {
    return this.recorded.map((event) => event.event_type);
  }

  status(config: string): string {
    return this.engine.configHealth(config).status;
  }
}
