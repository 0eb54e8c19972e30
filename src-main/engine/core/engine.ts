import {
  COMMANDS,
  isCommandName,
  type CommandHandlers,
  type CommandName,
  type CommandResult,
  type ValidCommandArgs,
} from '../../../src-shared/contract/commands.js';
import { EngineError } from '../../../src-shared/contract/errors.js';
import type { EngineEvents, EngineNotification } from '../../../src-shared/contract/events.js';
import type { ConfigView, EndpointView, EngineSnapshot, OverallState, ProxyView } from '../../../src-shared/contract/snapshot.js';
import { endpointCanServe, keyHint, keyUnavailable, type Config, type Endpoint } from '../../../src-shared/model/config.js';
import type { FailoverEvent } from '../../../src-shared/model/event.js';
import type { ConfigHealth } from '../../../src-shared/model/health.js';
import { applyPolicyPatch, type FailoverPolicy } from '../../../src-shared/model/policy.js';
import { findConfig, type Settings } from '../../../src-shared/model/settings.js';
import { TIERS, isServingTier } from '../../../src-shared/model/tier.js';
import { describeIssues } from '../../../src-shared/model/validation.js';
import { ConfigCounters, anotherEndpointServes, deriveConfigHealth } from './config-health.js';
import { NOTHING_TO_IMPORT, importedConfigArgs } from './claude-import.js';
import { EndpointBreaker } from './endpoint-breaker.js';
import { EndpointStats } from './endpoint-stats.js';
import { FailoverManager, type FailoverInputs } from './failover-manager.js';
import { describeOutcome, type AttemptOutcome } from './outcome.js';
import type { ClaudeCodeSettings, Clock, EventLog, IdSource, Notifier, Prober, ProbeTarget, SettingsRepository } from './ports.js';
import { isServing, moveConfig, positionOf, removeFromTiers, renameInTiers, servingOrder, setTierEnabled, tierOf } from './priority-manager.js';
import { allProbeTargets, planProbes, probeTargetOf, runProbes } from './probe-planner.js';
import { planRequest, type Candidate } from './request-planner.js';
import { TypedEmitter } from './typed-emitter.js';

export interface EngineDeps {
  clock: Clock;
  ids: IdSource;
  settings: SettingsRepository;
  events: EventLog;
  notifier: Notifier;
  /** Active health checks; `health:check-now` needs one. */
  prober?: Prober;
  /** Where Claude Code's own API settings are read; `claude:import` needs it. */
  claudeCode?: ClaudeCodeSettings;
}

/**
 * The candidates for one request and the way to report each attempt back.
 * Shared by every request planned while nothing changed: read it, never
 * mutate it; which candidates a request has tried is the caller's to track.
 */
export interface RequestPlan {
  readonly candidates: readonly Candidate[];
  /** Feeds one attempt's classified outcome into the endpoint's breaker and the failover manager. */
  readonly report: (candidate: Candidate, outcome: AttemptOutcome) => void;
}

/** Where an outcome came from: a live request through the proxy, or an active health probe. */
export type OutcomeSource = 'traffic' | 'probe';

interface BreakerEntry {
  /** The config's current name (follows renames, so transition events name it right). */
  config: string;
  breaker: EndpointBreaker;
  /** Success rate and latency for the health bars; same lifecycle as the breaker. */
  stats: EndpointStats;
  /** Last success of live traffic (probes excluded): such an endpoint needs no probe. */
  lastTrafficSuccess: number | null;
  /** What the breaker's verdict is about: a user edit of URL, key or auth style starts it fresh. */
  fingerprint: string;
}

/** The last plan made, with everything it was made from; see Engine.plan. */
interface PlanCache {
  plan: RequestPlan;
  settings: Settings;
  active: string | null;
  drilled: string | undefined;
  /** An ejection among the planned configs' endpoints ends by itself then (epoch ms). */
  validUntil: number;
}

const HISTORY_WINDOW = 1_000;

/**
 * The failover engine: owns the settings, the endpoint breakers and the
 * failover manager, implements every command of the contract, and plans
 * requests for the proxy. Pure: all I/O and time go through its ports, so the
 * Electron app, the daemon and the tests host the same engine.
 */
export class Engine {
  private settings: Settings;
  private revision = 0;
  private proxyView: ProxyView | null = null;
  private dirty = false;
  private orderCache: { settings: Settings; order: string[] } | null = null;
  /** Null whenever something the plan depends on may have changed without showing in its keys. */
  private planCache: PlanCache | null = null;
  /** One reporter for every plan: it needs nothing but the candidate. */
  private readonly reportAttempt = (candidate: Candidate, outcome: AttemptOutcome): void =>
    this.recordOutcome(candidate.config, candidate.endpoint.id, outcome);
  /** Endpoint stats changed since the last published snapshot. */
  private statsChanged = false;
  private readonly problems: string[];
  private readonly breakers = new Map<string, Map<string, BreakerEntry>>();
  private readonly counters = new Map<string, ConfigCounters>();
  private readonly failover: FailoverManager;
  private readonly emitter = new TypedEmitter<EngineEvents>();
  private persistence: Promise<unknown> = Promise.resolve();
  readonly handlers: CommandHandlers;

  /** Loads settings and recent history through the ports and makes the first decision. */
  static async start(deps: EngineDeps): Promise<Engine> {
    const { settings, problems } = await deps.settings.load();
    const history = await deps.events.recent(HISTORY_WINDOW);
    return new Engine(deps, settings, problems, history);
  }

  private constructor(
    private readonly deps: EngineDeps,
    settings: Settings,
    problems: string[],
    history: FailoverEvent[],
  ) {
    this.settings = settings;
    this.problems = [...problems];
    this.syncHealthState();
    this.failover = new FailoverManager(
      {
        clock: deps.clock,
        ids: deps.ids,
        record: (event) => this.recordEvent(event),
        notify: (notification) => this.raise(notification),
      },
      { active: settings.active_config, pinned: settings.pinned },
      history,
    );
    this.handlers = this.createHandlers();
    this.settle();
  }

  // ── Queries ───────────────────────────────────────────────────────────

  get activeConfig(): string | null {
    return this.failover.active;
  }

  /** The policy in force (read-only; change it with `policy:update`). */
  get policy(): Readonly<FailoverPolicy> {
    return this.settings.policy;
  }

  /** Subscribes to an engine event; returns an unsubscribe function. */
  on<E extends keyof EngineEvents>(event: E, listener: (payload: EngineEvents[E]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  /** The seed's ConfigHealth of one config. */
  configHealth(name: string): ConfigHealth {
    const config = findConfig(this.settings, name);
    if (!config) throw new EngineError('not_found', `no config named "${name}"`);
    return deriveConfigHealth(config, (id) => this.breakerFor(name, id).breaker, this.countersFor(name));
  }

  /**
   * The host tells the engine about its proxy (listening URL, paused), so every
   * view of the engine — dashboard, tray, CLI — shows it from one snapshot.
   */
  setProxyState(proxy: ProxyView | null): void {
    if (JSON.stringify(proxy) === JSON.stringify(this.proxyView)) return;
    this.proxyView = proxy === null ? null : { ...proxy };
    this.dirty = true;
    this.settle();
  }

  /**
   * A problem the host found that the user must act on (e.g. keys stored
   * unencrypted); shown with the start-up problems until the engine restarts.
   */
  reportProblem(message: string): void {
    if (this.problems.includes(message)) return;
    this.problems.push(message);
    this.dirty = true;
    this.settle();
  }

  snapshot(): EngineSnapshot {
    const inputs = this.failoverInputs();
    return {
      revision: this.revision,
      active_config: this.failover.active,
      pinned: this.failover.pinned,
      overall: this.overallState(),
      policy: { ...this.settings.policy },
      tier_enabled: { ...this.settings.tier_enabled },
      problems: [...this.problems],
      drill: this.failover.activeDrill,
      drill_target: this.failover.drillTarget(inputs),
      proxy: this.proxyView === null ? null : { ...this.proxyView },
      tiers: TIERS.map((tier) => ({
        tier,
        enabled: isServingTier(tier) && this.settings.tier_enabled[tier],
        configs: this.settings.tiers[tier].flatMap((name) => {
          const config = findConfig(this.settings, name);
          return config ? [this.configView(config, inputs)] : [];
        }),
      })),
    };
  }

  // ── The proxy's side ──────────────────────────────────────────────────

  /**
   * Candidates for one request, best first, and the outcome reporter.
   *
   * The proxy asks on every request, and the answer rarely changes, so the
   * last plan is reused while its inputs hold: the same settings document
   * (configs, tiers, tier flags, policy), the same active config and drill,
   * no breaker transition or failure since, and no ejection among its
   * endpoints due to end (time alone turns those half-open, unannounced).
   */
  plan(): RequestPlan {
    const cached = this.planCache;
    if (
      cached !== null &&
      cached.settings === this.settings &&
      cached.active === this.failover.active &&
      cached.drilled === this.failover.activeDrill?.config &&
      (cached.validUntil === Infinity || this.deps.clock.now() < cached.validUntil)
    ) {
      if (this.dirty) this.settle();
      return cached.plan;
    }
    const active = this.failover.active;
    const drilled = this.failover.activeDrill?.config;
    const { candidates, validUntil } = planRequest({
      active,
      order: this.trafficOrder(drilled),
      policy: this.settings.policy,
      config: (name) => findConfig(this.settings, name),
      breaker: (config, id) => this.breakerFor(config, id).breaker,
    });
    const plan: RequestPlan = Object.freeze({ candidates: Object.freeze(candidates), report: this.reportAttempt });
    // Kept before settling, so a transition the decision causes drops it again.
    this.planCache = { plan, settings: this.settings, active, drilled, validUntil };
    // Only an ejection that expired while planning (a transition) can change a decision here.
    if (this.dirty) this.settle();
    return plan;
  }

  /**
   * Feeds one classified outcome (live request or probe) into the engine:
   * the endpoint's breaker, its stats and its config's counters (where a
   * failure counts only if no other endpoint of the config still serves).
   */
  recordOutcome(configName: string, endpointId: string, outcome: AttemptOutcome, source: OutcomeSource = 'traffic'): void {
    const config = findConfig(this.settings, configName);
    if (!config?.endpoints.some((endpoint) => endpoint.id === endpointId)) return; // removed meanwhile
    const entry = this.breakerFor(configName, endpointId);
    const { breaker } = entry;
    const now = this.deps.clock.now();
    const wasRejected = breaker.isCredentialRejected;
    breaker.record(outcome, this.settings.policy);
    entry.stats.record(outcome, now);
    if (outcome.kind !== 'neutral') this.statsChanged = true;
    if (source === 'traffic' && outcome.kind === 'success') entry.lastTrafficSuccess = now;
    // A failure can move an ejected endpoint's last failure (panic order) or its ejection
    // end without a transition; a success changes nothing planned unless it transitions.
    if (outcome.kind !== 'success' && outcome.kind !== 'neutral') this.planCache = null;
    // After the breaker: the config's counters ask whether its other endpoints still serve.
    this.countersFor(configName).record(outcome, now, () =>
      anotherEndpointServes(config, endpointId, (id) => this.breakerFor(configName, id).breaker),
    );
    if (outcome.kind === 'credential_rejected' && !wasRejected && this.settings.policy.notify_on_failover) {
      this.raise({
        kind: 'credential_rejected',
        title: `Key rejected by ${configName}`,
        body: `Endpoint ${endpointId} answered ${outcome.status}; check its API key.`,
        event_id: null,
        config: configName,
      });
    }
    // The hot path: an outcome on the active config that moved no breaker changes no
    // decision (failover follows transitions; recovery reads configs ranked above the
    // active one), so skip the evaluation for it.
    if (this.dirty || configName !== this.failover.active) this.settle();
  }

  /** Re-evaluates time-based rules (ejection expiry, recovery delay, cooldown). Hosts call it on a timer. */
  tick(): void {
    // Success rates and latencies move with every request; publishing them on
    // the host's tick (once a second) keeps the dashboard live without a
    // snapshot per request.
    if (this.statsChanged) this.dirty = true;
    this.settle();
  }

  // ── The health monitor's side ─────────────────────────────────────────

  /**
   * What one periodic health check should probe (architecture.md §4.5): the
   * enabled endpoints of serving configs, minus those that served traffic
   * within `check_interval` and those ejected until a later time.
   */
  probeTargets(): ProbeTarget[] {
    const targets = planProbes({
      order: this.servingOrder(),
      policy: this.settings.policy,
      now: this.deps.clock.now(),
      config: (name) => findConfig(this.settings, name),
      health: (config, id) => this.breakerFor(config, id).breaker.health(),
      lastTrafficSuccess: (config, id) => this.breakerFor(config, id).lastTrafficSuccess,
    });
    this.settle(); // reading health may have turned expired ejections half-open
    return targets;
  }

  /**
   * The probe for one endpoint (e.g. the moment its ejection expires), or
   * null when it no longer exists, is disabled, or its config does not serve.
   */
  probeTarget(configName: string, endpointId: string): ProbeTarget | null {
    const config = findConfig(this.settings, configName);
    const endpoint = config?.endpoints.find((e) => e.id === endpointId);
    if (!config || !endpoint || !endpointCanServe(endpoint) || !isServing(this.settings, configName)) return null;
    return probeTargetOf(config, endpoint, this.settings.policy);
  }

  /** Resolves once queued writes (history, active selection) have reached storage. */
  async whenPersisted(): Promise<void> {
    let seen: Promise<unknown>;
    do {
      seen = this.persistence;
      await seen;
    } while (seen !== this.persistence);
  }

  // ── Commands ──────────────────────────────────────────────────────────

  /**
   * The single entry point for untrusted callers (IPC, admin RPC, CLI):
   * checks the command name, validates the payload, runs the handler.
   */
  async dispatch(command: string, args: unknown): Promise<unknown> {
    if (!isCommandName(command)) throw new EngineError('unknown_command', `unknown command "${command}"`);
    const parsed = COMMANDS[command].args.safeParse(args ?? {});
    if (!parsed.success) throw new EngineError('invalid_argument', `${command}: ${describeIssues(parsed.error)}`);
    const handler = this.handlers[command] as (valid: unknown) => Promise<unknown>;
    return handler(parsed.data);
  }

  /** Typed variant of dispatch for in-process callers. */
  async invoke<K extends CommandName>(command: K, args: ValidCommandArgs<K>): Promise<CommandResult<K>> {
    return (await this.dispatch(command, args)) as CommandResult<K>;
  }

  private createHandlers(): CommandHandlers {
    return {
      'state:get': async () => this.snapshot(),

      'config:add': async ({ name, description, tier, endpoints }) => {
        await this.mutate((current) => {
          if (findConfig(current, name)) throw new EngineError('already_exists', `a config named "${name}" already exists`);
          const config: Config = {
            name,
            description: description ?? '',
            endpoints: (endpoints ?? []).map((input) => this.newEndpoint(input)),
            message_probe: null,
          };
          return moveConfig({ ...current, configs: [...current.configs, config] }, name, tier ?? 'primary');
        });
        return this.configView(this.requireConfig(name), this.failoverInputs());
      },

      'config:update': async ({ name, new_name, description, message_probe }) => {
        const target = new_name ?? name;
        await this.mutate((current) => {
          const config = requireConfigIn(current, name);
          if (new_name !== undefined && new_name !== name && findConfig(current, new_name)) {
            throw new EngineError('already_exists', `a config named "${new_name}" already exists`);
          }
          const updated: Config = {
            ...config,
            name: target,
            description: description ?? config.description,
            message_probe: message_probe === undefined ? config.message_probe : message_probe,
          };
          const renamed = renameInTiers(current, name, target);
          return {
            ...renamed,
            configs: current.configs.map((entry) => (entry.name === name ? updated : entry)),
            active_config: current.active_config === name ? target : current.active_config,
          };
        }, () => this.renameHealthState(name, target));
        return this.configView(this.requireConfig(target), this.failoverInputs());
      },

      'config:remove': async ({ name }) => {
        await this.mutate((current) => {
          requireConfigIn(current, name);
          const without = removeFromTiers(current, name);
          return {
            ...without,
            configs: current.configs.filter((config) => config.name !== name),
            active_config: current.active_config === name ? null : current.active_config,
            pinned: current.active_config === name ? false : current.pinned,
          };
        });
        return { removed: name };
      },

      'endpoint:add': async ({ config: name, ...input }) => {
        const endpoint = this.newEndpoint(input);
        await this.mutate((current) => {
          const config = requireConfigIn(current, name);
          return replaceConfig(current, { ...config, endpoints: [...config.endpoints, endpoint] });
        });
        return this.endpointView(name, endpoint);
      },

      'endpoint:update': async ({ config: name, endpoint_id, ...patch }) => {
        const saved = await this.mutate((current) => {
          const config = requireConfigIn(current, name);
          const endpoint = requireEndpointIn(config, endpoint_id);
          const edited: Endpoint = {
            ...endpoint,
            base_url: patch.base_url ?? endpoint.base_url,
            api_key: patch.api_key ?? endpoint.api_key,
            auth_style: patch.auth_style ?? endpoint.auth_style,
            enabled: patch.enabled ?? endpoint.enabled,
          };
          return replaceConfig(current, { ...config, endpoints: config.endpoints.map((e) => (e.id === endpoint_id ? edited : e)) });
        });
        // What was stored, not what we asked for: the repository may have settled fields (e.g. re-enabling a re-keyed endpoint).
        return this.endpointView(name, requireEndpointIn(requireConfigIn(saved, name), endpoint_id));
      },

      'endpoint:test': async ({ config: name, endpoint_id }) => {
        const prober = this.deps.prober;
        if (!prober) throw new EngineError('failed_precondition', 'no health prober is running in this host');
        const config = this.requireConfig(name);
        const endpoint = requireEndpointIn(config, endpoint_id);
        if (keyUnavailable(endpoint)) {
          // Probing with the stand-in would only earn a 401 and a false "key rejected".
          throw new EngineError(
            'failed_precondition',
            `the key of endpoint ${endpoint_id} in config "${name}" cannot be decrypted by this process (it was sealed by the QCC desktop app); test it from the app, or enter it again with \`qcc endpoint update ${name} ${endpoint_id} --api-key KEY\``,
          );
        }
        let outcome: AttemptOutcome;
        try {
          outcome = await prober.probe(probeTargetOf(config, endpoint, this.settings.policy));
        } catch (error) {
          outcome = { kind: 'failure', detail: `probe failed: ${errorMessage(error)}` };
        }
        this.recordOutcome(name, endpoint_id, outcome, 'probe');
        const current = findConfig(this.settings, name)?.endpoints.find((e) => e.id === endpoint_id) ?? endpoint;
        return {
          outcome: outcome.kind,
          detail: outcome.kind === 'success' ? 'reachable, key accepted' : describeOutcome(outcome),
          latency_ms: outcome.kind === 'success' ? (outcome.latency_ms ?? null) : null,
          endpoint: this.endpointView(name, current),
        };
      },

      'claude:import': async ({ name }) => {
        const claudeCode = this.deps.claudeCode;
        if (!claudeCode) throw new EngineError('failed_precondition', "this host cannot read Claude Code's settings; use `qcc claude import` in a terminal");
        const found = await claudeCode.detect();
        if (found === null) throw new EngineError('failed_precondition', `${NOTHING_TO_IMPORT}; add the config by hand instead`);
        const config = await this.invoke('config:add', importedConfigArgs(found, name));
        return { config, source: found.source };
      },

      'endpoint:remove': async ({ config: name, endpoint_id }) => {
        await this.mutate((current) => {
          const config = requireConfigIn(current, name);
          requireEndpointIn(config, endpoint_id);
          return replaceConfig(current, { ...config, endpoints: config.endpoints.filter((e) => e.id !== endpoint_id) });
        });
        return { removed: endpoint_id };
      },

      'priority:move': async ({ name, tier, index }) => {
        await this.mutate((current) => {
          requireConfigIn(current, name);
          return moveConfig(current, name, tier, index);
        });
        return this.snapshot();
      },

      'priority:set-tier-enabled': async ({ tier, enabled }) => {
        await this.mutate((current) => setTierEnabled(current, tier, enabled));
        return this.snapshot();
      },

      'policy:update': async (patch) => {
        const next = await this.mutate((current) => {
          const result = applyPolicyPatch(current.policy, patch);
          if (!result.success) throw new EngineError('invalid_argument', describeIssues(result.error, 'policy'));
          return { ...current, policy: result.data };
        });
        return { ...next.policy };
      },

      'failover:switch': async ({ name, reason }) => {
        this.requireConfig(name);
        const event = this.failover.manualSwitch(name, reason ?? 'manual switch', this.failoverInputs());
        this.planCache = null; // active, pin or drill changed
        this.dirty = true;
        this.persistSelection();
        this.settle();
        return { switched: event !== null, event };
      },

      'failover:drill': async ({ duration_s }) => {
        const durationMs = (duration_s ?? 30) * 1_000;
        const event = this.failover.startDrill(durationMs, this.failoverInputs());
        this.planCache = null; // active, pin or drill changed
        this.dirty = true;
        this.persistSelection();
        this.settle();
        return { event, until: this.deps.clock.now() + durationMs };
      },

      'failover:unpin': async () => {
        this.failover.unpin();
        this.planCache = null; // active, pin or drill changed
        this.dirty = true;
        this.persistSelection();
        this.settle();
        return { pinned: false as const };
      },

      'history:query': async ({ limit, event_types, config }) => {
        // Events are written in the background; a query must see the ones already announced.
        await this.whenPersisted();
        const events = await this.deps.events.recent(HISTORY_WINDOW);
        return events
          .filter((event) => !event_types || event_types.includes(event.event_type))
          .filter((event) => !config || event.from_config === config || event.to_config === config)
          .slice(0, limit ?? 100);
      },

      'health:check-now': async ({ config }) => {
        const prober = this.deps.prober;
        if (!prober) throw new EngineError('failed_precondition', 'no health prober is running in this host');
        // Asked for by the user: every enabled endpoint, none skipped.
        const configs = config !== undefined ? [this.requireConfig(config)] : this.servingOrder().map((name) => this.requireConfig(name));
        await runProbes(
          allProbeTargets(configs, this.settings.policy),
          (target) => prober.probe(target),
          (target, outcome) => this.recordOutcome(target.config, target.endpoint.id, outcome, 'probe'),
        );
        return this.snapshot();
      },
    };
  }

  // ── Settings ──────────────────────────────────────────────────────────

  /**
   * Applies `change` to the freshest stored settings (other processes' edits
   * included) under the repository's lock, then adopts the result.
   */
  private async mutate(change: (current: Settings) => Settings, beforeAdopt?: () => void): Promise<Settings> {
    const next = await this.deps.settings.update(change);
    beforeAdopt?.();
    this.adoptSettings(next);
    return next;
  }

  /** Takes a settings document written elsewhere (by us or another process) as the truth. */
  adoptSettings(next: Settings): void {
    this.settings = next;
    this.planCache = null;
    this.syncHealthState();
    this.dirty = true;
    this.settle();
  }

  /** Keeps one breaker per endpoint; an edited URL, key or auth style starts a fresh one. */
  private syncHealthState(): void {
    for (const [name, endpoints] of this.breakers) {
      const config = findConfig(this.settings, name);
      if (!config) {
        this.breakers.delete(name);
        this.counters.delete(name);
        continue;
      }
      for (const [id, entry] of endpoints) {
        const endpoint = config.endpoints.find((e) => e.id === id);
        if (!endpoint || entry.fingerprint !== fingerprintOf(endpoint)) endpoints.delete(id);
      }
    }
  }

  private renameHealthState(from: string, to: string): void {
    if (from === to) return;
    this.planCache = null;
    const endpoints = this.breakers.get(from);
    if (endpoints) {
      for (const entry of endpoints.values()) entry.config = to;
      this.breakers.set(to, endpoints);
    }
    this.breakers.delete(from);
    const counters = this.counters.get(from);
    if (counters) this.counters.set(to, counters);
    this.counters.delete(from);
    this.failover.renameConfig(from, to);
  }

  private breakerFor(configName: string, endpointId: string): BreakerEntry {
    let endpoints = this.breakers.get(configName);
    if (!endpoints) {
      endpoints = new Map();
      this.breakers.set(configName, endpoints);
    }
    let entry = endpoints.get(endpointId);
    if (!entry) {
      const endpoint = findConfig(this.settings, configName)?.endpoints.find((e) => e.id === endpointId);
      const breaker = new EndpointBreaker(this.deps.clock);
      const created: BreakerEntry = {
        config: configName,
        breaker,
        stats: new EndpointStats(),
        lastTrafficSuccess: null,
        fingerprint: endpoint ? fingerprintOf(endpoint) : '',
      };
      breaker.onTransition((transition) => {
        this.dirty = true;
        this.planCache = null;
        this.emitter.emit('health:changed', { config: created.config, endpoint_id: endpointId, ...transition });
      });
      entry = created;
      endpoints.set(endpointId, entry);
    }
    return entry;
  }

  private countersFor(configName: string): ConfigCounters {
    let counters = this.counters.get(configName);
    if (!counters) {
      counters = new ConfigCounters();
      this.counters.set(configName, counters);
    }
    return counters;
  }

  // ── Decisions and publishing ──────────────────────────────────────────

  /** servingOrder, computed once per settings document (the proxy asks for it on every request). */
  private servingOrder(): string[] {
    if (this.orderCache?.settings !== this.settings) this.orderCache = { settings: this.settings, order: servingOrder(this.settings) };
    return this.orderCache.order;
  }

  /** Serving order for traffic: a config under a failover drill gets none. */
  private trafficOrder(drilled: string | undefined): string[] {
    const order = this.servingOrder();
    return drilled === undefined ? order : order.filter((name) => name !== drilled);
  }

  private failoverInputs(): FailoverInputs {
    return {
      order: this.servingOrder(),
      health: (name) => this.configHealth(name),
      policy: this.settings.policy,
    };
  }

  /** Lets the failover manager decide, persists its choice, and publishes a new snapshot if anything changed. */
  private settle(): void {
    if (this.failover.evaluate(this.failoverInputs())) {
      this.planCache = null;
      this.dirty = true;
      this.persistSelection();
    }
    if (!this.dirty) return;
    this.dirty = false;
    this.statsChanged = false;
    this.revision += 1;
    if (this.emitter.listenerCount('state:changed') > 0) this.emitter.emit('state:changed', this.snapshot());
  }

  private persistSelection(): void {
    const { active, pinned } = this.failover;
    this.enqueuePersistence(() =>
      this.deps.settings.update((current) => {
        const exists = active !== null && findConfig(current, active) !== undefined;
        return { ...current, active_config: exists ? active : null, pinned: exists && pinned };
      }),
    );
  }

  private recordEvent(event: FailoverEvent): void {
    this.enqueuePersistence(() => this.deps.events.append(event));
    this.emitter.emit('history:appended', event);
  }

  /** Writes happen in order, off the request path; a failure becomes a visible problem, not a crash. */
  private enqueuePersistence(write: () => Promise<unknown>): void {
    this.persistence = this.persistence.then(write).catch((error: unknown) => {
      this.problems.push(`could not save state: ${errorMessage(error)}`);
      this.dirty = true;
      this.settle();
    });
  }

  private raise(notification: EngineNotification): void {
    try {
      this.deps.notifier.notify(notification);
    } catch {
      // A broken notifier must not stop a failover.
    }
    this.emitter.emit('notification:raised', notification);
  }

  private overallState(): OverallState {
    const order = this.servingOrder();
    const active = this.failover.active;
    if (order.length === 0 || active === null) return 'idle';
    if (this.failover.isAllDown) return 'all_down';
    const status = this.configHealth(active).status;
    if (status === 'unhealthy') return 'all_down';
    return active === order[0] && (status === 'healthy' || status === 'unknown') ? 'ok' : 'degraded';
  }

  // ── Views ─────────────────────────────────────────────────────────────

  private configView(config: Config, inputs: FailoverInputs): ConfigView {
    return {
      name: config.name,
      description: config.description,
      tier: tierOf(this.settings, config.name) ?? 'disabled',
      position: positionOf(this.settings, config.name),
      active: this.failover.active === config.name,
      message_probe: config.message_probe,
      health: this.configHealth(config.name),
      endpoints: config.endpoints.map((endpoint) => this.endpointView(config.name, endpoint)),
      switch_refusal: this.failover.switchRefusal(config.name, inputs),
    };
  }

  private endpointView(configName: string, endpoint: Endpoint): EndpointView {
    const entry = this.breakerFor(configName, endpoint.id);
    return {
      id: endpoint.id,
      base_url: endpoint.base_url,
      key_hint: keyHint(endpoint.api_key),
      auth_style: endpoint.auth_style,
      enabled: endpoint.enabled,
      health: entry.breaker.health(),
      stats: entry.stats.view(),
    };
  }

  private requireConfig(name: string): Config {
    return requireConfigIn(this.settings, name);
  }

  private newEndpoint(input: { base_url: string; api_key: string; auth_style?: Endpoint['auth_style'] | undefined }): Endpoint {
    return {
      id: this.deps.ids.next('ep'),
      base_url: input.base_url,
      api_key: input.api_key,
      auth_style: input.auth_style ?? 'x-api-key',
      enabled: true,
    };
  }
}

function requireConfigIn(settings: Settings, name: string): Config {
  const config = findConfig(settings, name);
  if (!config) throw new EngineError('not_found', `no config named "${name}"`);
  return config;
}

function requireEndpointIn(config: Config, endpointId: string): Endpoint {
  const endpoint = config.endpoints.find((e) => e.id === endpointId);
  if (!endpoint) throw new EngineError('not_found', `config "${config.name}" has no endpoint "${endpointId}"`);
  return endpoint;
}

function replaceConfig(settings: Settings, config: Config): Settings {
  return { ...settings, configs: settings.configs.map((entry) => (entry.name === config.name ? config : entry)) };
}

function fingerprintOf(endpoint: Endpoint): string {
  return `${endpoint.base_url}\n${endpoint.auth_style}\n${endpoint.api_key}`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
