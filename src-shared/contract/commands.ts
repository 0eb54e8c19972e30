import { z } from 'zod';
import {
  ApiKeySchema,
  AuthStyleSchema,
  BaseUrlSchema,
  ConfigNameSchema,
  EndpointIdSchema,
  MessageProbeSchema,
} from '../model/config.js';
import { EVENT_TYPES, type FailoverEvent } from '../model/event.js';
import { FailoverPolicyPatchSchema, type FailoverPolicy } from '../model/policy.js';
import { SERVING_TIERS, TierSchema } from '../model/tier.js';
import type { ConfigView, EndpointTestResult, EndpointView, EngineSnapshot } from './snapshot.js';

/** Declares a command: its argument schema, and (as a phantom type) its result. */
function command<Result>() {
  return <Args extends z.ZodType<object>>(args: Args) => ({ args, result: undefined as unknown as Result });
}

const EndpointInputSchema = z
  .object({
    base_url: BaseUrlSchema,
    api_key: ApiKeySchema,
    auth_style: AuthStyleSchema.optional(),
  })
  .strict();

const ReasonSchema = z.string({ error: 'must be a string' }).trim().max(500, { error: 'must be at most 500 characters' });

/**
 * THE engine contract: every command the dashboard, the tray and the CLI can
 * send, `domain:verb`, each taking one object. The engine's handler table, the
 * IPC bridge, the admin server and the EngineClient are all derived from it.
 */
export const COMMANDS = {
  /** The whole state, with a revision the client uses to drop stale copies. */
  'state:get': command<EngineSnapshot>()(z.object({}).strict()),

  'config:add': command<ConfigView>()(
    z
      .object({
        name: ConfigNameSchema,
        description: z.string().max(500, { error: 'must be at most 500 characters' }).optional(),
        /** Defaults to the end of the primary tier. */
        tier: TierSchema.optional(),
        endpoints: z.array(EndpointInputSchema).max(50).optional(),
      })
      .strict(),
  ),
  'config:update': command<ConfigView>()(
    z
      .object({
        name: ConfigNameSchema,
        new_name: ConfigNameSchema.optional(),
        description: z.string().max(500, { error: 'must be at most 500 characters' }).optional(),
        message_probe: MessageProbeSchema.nullable().optional(),
      })
      .strict(),
  ),
  'config:remove': command<{ removed: string }>()(z.object({ name: ConfigNameSchema }).strict()),

  'endpoint:add': command<EndpointView>()(EndpointInputSchema.extend({ config: ConfigNameSchema }).strict()),
  'endpoint:update': command<EndpointView>()(
    z
      .object({
        config: ConfigNameSchema,
        endpoint_id: EndpointIdSchema,
        base_url: BaseUrlSchema.optional(),
        api_key: ApiKeySchema.optional(),
        auth_style: AuthStyleSchema.optional(),
        enabled: z.boolean({ error: 'must be true or false' }).optional(),
      })
      .strict(),
  ),
  /** Probes one endpoint now (the config editor's "Test") and feeds the result to its breaker. */
  'endpoint:test': command<EndpointTestResult>()(z.object({ config: ConfigNameSchema, endpoint_id: EndpointIdSchema }).strict()),
  'endpoint:remove': command<{ removed: string }>()(
    z.object({ config: ConfigNameSchema, endpoint_id: EndpointIdSchema }).strict(),
  ),

  /** Drag-to-reorder and `qcc priority set`: put a config at `index` of `tier` (end if omitted). */
  'priority:move': command<EngineSnapshot>()(
    z
      .object({
        name: ConfigNameSchema,
        tier: TierSchema,
        index: z.number().int({ error: 'must be a whole number' }).min(0, { error: 'must be 0 or more' }).optional(),
      })
      .strict(),
  ),
  /** The seed's PriorityGroup.enabled. */
  'priority:set-tier-enabled': command<EngineSnapshot>()(
    z.object({ tier: z.enum(SERVING_TIERS, { error: () => `must be one of ${SERVING_TIERS.join(', ')}` }), enabled: z.boolean() }).strict(),
  ),

  'policy:update': command<FailoverPolicy>()(FailoverPolicyPatchSchema),

  /** Manual switch: records a `manual` event with the reason and pins the config. */
  'failover:switch': command<{ switched: boolean; event: FailoverEvent | null }>()(
    z.object({ name: ConfigNameSchema, reason: ReasonSchema.optional() }).strict(),
  ),
  'failover:unpin': command<{ pinned: false }>()(z.object({}).strict()),
  /** Treats the active config as failed for a while, then moves traffic back; both moves are recorded. */
  'failover:drill': command<{ event: FailoverEvent; until: number }>()(
    z
      .object({
        duration_s: z.number().int({ error: 'must be a whole number of seconds' }).min(5, { error: 'must be at least 5 seconds' }).max(600, { error: 'must be at most 600 seconds' }).optional(),
      })
      .strict(),
  ),

  /** History, newest first. */
  'history:query': command<FailoverEvent[]>()(
    z
      .object({
        limit: z.number().int().min(1, { error: 'must be at least 1' }).max(1000, { error: 'must be at most 1000' }).optional(),
        event_types: z.array(z.enum(EVENT_TYPES, { error: () => `must be one of ${EVENT_TYPES.join(', ')}` })).optional(),
        /** Only events from or to this config. */
        config: ConfigNameSchema.optional(),
      })
      .strict(),
  ),

  /**
   * Adds the API settings Claude Code uses now (its ~/.claude/settings.json,
   * or the host's environment) as a config, default name `claude-code`: the
   * dashboard's first-run import, for hosts where no terminal is at hand.
   */
  'claude:import': command<{ config: ConfigView; source: string }>()(z.object({ name: ConfigNameSchema.optional() }).strict()),

  /** Probe every endpoint (of one config, or of all enabled configs) now. */
  'health:check-now': command<EngineSnapshot>()(z.object({ config: ConfigNameSchema.optional() }).strict()),
} as const;

export type CommandName = keyof typeof COMMANDS;
export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

/** What a caller passes (defaults not yet applied). */
export type CommandArgs<K extends CommandName> = z.input<(typeof COMMANDS)[K]['args']>;
/** What a handler receives, after validation. */
export type ValidCommandArgs<K extends CommandName> = z.output<(typeof COMMANDS)[K]['args']>;
export type CommandResult<K extends CommandName> = (typeof COMMANDS)[K]['result'];

/** A table with exactly one handler per command; a missing one is a compile error. */
export type CommandHandlers = {
  [K in CommandName]: (args: ValidCommandArgs<K>) => Promise<CommandResult<K>>;
};

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && Object.hasOwn(COMMANDS, value);
}
