import type { FailoverPolicyPatch } from '../../../src-shared/model/policy.js';
import { TIERS } from '../../../src-shared/model/tier.js';
import { UsageError, intOption, parse } from './args.js';
import { withSession } from './config-commands.js';
import { printJson, type CliContext } from './context.js';
import { formatHistory, formatPolicy, formatPriorityList, priorityListJson } from './format.js';
import { importHint } from './import-hint.js';

/** `qcc priority set|list|policy|switch|unpin|history …` */
export async function priorityCommand(argv: string[], context: CliContext): Promise<void> {
  const [verb, ...rest] = argv;
  switch (verb) {
    case 'set':
      return prioritySet(rest, context);
    case 'list':
      return priorityList(rest, context);
    case 'policy':
      return priorityPolicy(rest, context);
    case 'switch':
      return prioritySwitch(rest, context);
    case 'unpin':
      return priorityUnpin(rest, context);
    case 'history':
      return priorityHistory(rest, context);
    default:
      throw new UsageError(verb ? `unknown subcommand '${verb}'` : 'missing subcommand (set, list, policy, switch, unpin or history)', 'priority');
  }
}

async function prioritySet(argv: string[], context: CliContext): Promise<void> {
  const { positionals } = parse('priority set', argv, {}, { min: 2, max: 2, names: 'NAME TIER' });
  const [name, tier] = positionals as [string, string];
  if (!(TIERS as readonly string[]).includes(tier)) throw new UsageError(`TIER must be one of ${TIERS.join(', ')}, got '${tier}'`, 'priority set');
  await withSession(context, async (session) => {
    await session.invoke('priority:move', { name, tier: tier as (typeof TIERS)[number] });
    context.out(`✓ '${name}' is now a ${tier} config`);
  });
}

async function priorityList(argv: string[], context: CliContext): Promise<void> {
  const { values } = parse('priority list', argv, { json: { type: 'boolean' } }, { min: 0, max: 0, names: '' });
  await withSession(context, async (session) => {
    const snapshot = await session.invoke('state:get', {});
    if (values.json) {
      printJson(context, priorityListJson(snapshot));
      return;
    }
    context.out(formatPriorityList(snapshot));
    const hint = snapshot.tiers.every((group) => group.configs.length === 0) ? await importHint(context) : null;
    if (hint) context.out(`\n${hint}`);
  });
}

/** Flag → policy knob, for the seed's `priority policy` options. */
const POLICY_FLAGS = {
  'auto-failover': { type: 'boolean', knob: 'auto_failover_enabled' },
  'auto-recovery': { type: 'boolean', knob: 'auto_recovery_enabled' },
  'notify-on-failover': { type: 'boolean', knob: 'notify_on_failover' },
  'notify-on-recovery': { type: 'boolean', knob: 'notify_on_recovery' },
  'failure-threshold': { type: 'string', knob: 'failure_threshold' },
  'success-threshold': { type: 'string', knob: 'success_threshold' },
  'check-interval': { type: 'string', knob: 'check_interval' },
  cooldown: { type: 'string', knob: 'cooldown_period' },
  'recovery-delay': { type: 'string', knob: 'recovery_delay' },
  'max-failovers-per-hour': { type: 'string', knob: 'max_failovers_per_hour' },
} as const;

async function priorityPolicy(argv: string[], context: CliContext): Promise<void> {
  const options = Object.fromEntries(Object.entries(POLICY_FLAGS).map(([flag, spec]) => [flag, { type: spec.type }])) as {
    [K in keyof typeof POLICY_FLAGS]: { type: (typeof POLICY_FLAGS)[K]['type'] };
  };
  const { values } = parse('priority policy', argv, { ...options, json: { type: 'boolean' } }, { min: 0, max: 0, names: '' });
  const patch: Record<string, boolean | number> = {};
  for (const [flag, spec] of Object.entries(POLICY_FLAGS)) {
    const value = (values as Record<string, string | boolean | undefined>)[flag];
    if (value === undefined) continue;
    // Range checks are the engine's (one source of truth); here only "is it a number".
    patch[spec.knob] = typeof value === 'boolean' ? value : (intOption('priority policy', flag, value, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) as number);
  }
  await withSession(context, async (session) => {
    const changed = Object.keys(patch).length > 0;
    const policy = changed ? await session.invoke('policy:update', patch as FailoverPolicyPatch) : (await session.invoke('state:get', {})).policy;
    if (values.json) {
      printJson(context, policy);
      return;
    }
    context.out(changed ? '✓ Failover policy updated' : 'Failover policy:');
    context.out(formatPolicy(policy));
  });
}

async function prioritySwitch(argv: string[], context: CliContext): Promise<void> {
  const { values, positionals } = parse('priority switch', argv, { reason: { type: 'string', short: 'r' } }, { min: 1, max: 1, names: 'NAME' });
  const name = positionals[0] as string;
  await withSession(context, async (session) => {
    const before = (await session.invoke('state:get', {})).active_config;
    const result = await session.invoke('failover:switch', { name, ...(values.reason !== undefined ? { reason: values.reason } : {}) });
    if (!result.switched) {
      context.out(`'${name}' is already active; it is now pinned (no automatic recovery away from it).`);
      return;
    }
    context.out(`✓ Switched ${before ?? '(none)'} → ${name} (pinned until \`qcc priority unpin\`)`);
    context.out(`Reason: ${result.event?.reason ?? ''}`);
  });
}

async function priorityUnpin(argv: string[], context: CliContext): Promise<void> {
  parse('priority unpin', argv, {}, { min: 0, max: 0, names: '' });
  await withSession(context, async (session) => {
    await session.invoke('failover:unpin', {});
    const active = (await session.invoke('state:get', {})).active_config;
    context.out(`✓ Unpinned; automatic recovery may move traffic again${active ? ` (active: ${active})` : ''}`);
  });
}

async function priorityHistory(argv: string[], context: CliContext): Promise<void> {
  const { values } = parse('priority history', argv, { limit: { type: 'string', short: 'n' }, json: { type: 'boolean' } }, { min: 0, max: 0, names: '' });
  const limit = intOption('priority history', 'limit', values.limit, 1, 1000) ?? 20;
  await withSession(context, async (session) => {
    const events = await session.invoke('history:query', { limit });
    if (values.json) printJson(context, events);
    else context.out(formatHistory(events));
  });
}
