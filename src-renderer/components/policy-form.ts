import type { z } from 'zod';
import {
  DEFAULT_POLICY,
  FailoverPolicyPatchSchema,
  applyPolicyPatch,
  type FailoverPolicy,
  type FailoverPolicyPatch,
  type PolicyKnob,
} from '../../src-shared/model/policy.js';

/** How the editor groups the knobs. */
export const POLICY_GROUPS = ['Failover', 'Health checks', 'Notifications', 'Requests'] as const;
export type PolicyGroup = (typeof POLICY_GROUPS)[number];

/** One knob as the editor shows it. */
export interface KnobSpec {
  key: PolicyKnob;
  label: string;
  group: PolicyGroup;
  kind: 'flag' | 'number';
  /** Unit shown after the input (numbers only). */
  unit: string;
  /** One line on what it does. */
  help: string;
  /** Bounds from the shared schema (numbers only). */
  min?: number;
  max?: number;
}

const knob = (key: PolicyKnob, label: string, group: PolicyGroup, unit: string, help: string): KnobSpec => {
  const schema = FailoverPolicyPatchSchema.shape[key].unwrap() as z.ZodNumber | z.ZodBoolean;
  if (schema.def.type === 'boolean') return { key, label, group, kind: 'flag', unit: '', help };
  const number = schema as z.ZodNumber;
  return { key, label, group, kind: 'number', unit, help, min: number.minValue ?? undefined, max: number.maxValue ?? undefined };
};

/** Every knob of FailoverPolicy, in display order, with the CLI's labels. */
export const KNOBS: readonly KnobSpec[] = [
  knob('auto_failover_enabled', 'Auto failover', 'Failover', '', 'Move traffic to the next config when the active one fails.'),
  knob('auto_recovery_enabled', 'Auto recovery', 'Failover', '', 'Move back to a higher-ranked config once it is healthy again.'),
  knob('max_failovers_per_hour', 'Max failovers per hour', 'Failover', 'switches', 'Past this, automatic recovery pauses for the hour.'),
  knob('cooldown_period', 'Cooldown', 'Failover', 's', 'Time after any switch before an automatic recovery.'),
  knob('recovery_delay', 'Recovery delay', 'Failover', 's', 'How long a config must go without failure before recovery.'),
  knob('failure_threshold', 'Failure threshold', 'Health checks', 'failures', 'Consecutive failures that eject an endpoint.'),
  knob('success_threshold', 'Success threshold', 'Health checks', 'successes', 'Consecutive successes a config needs before recovery.'),
  knob('check_interval', 'Check interval', 'Health checks', 's', 'Time between active health checks.'),
  knob('ejection_base_time', 'Ejection base time', 'Health checks', 's', 'An ejected endpoint rests base × n for its n-th ejection in a row.'),
  knob('ejection_max_time', 'Ejection max time', 'Health checks', 's', 'Cap on one ejection.'),
  knob('notify_on_failover', 'Notify on failover', 'Notifications', '', 'Show a notification when traffic fails over.'),
  knob('notify_on_recovery', 'Notify on recovery', 'Notifications', '', 'Show a notification when traffic recovers.'),
  knob('connect_timeout_ms', 'Connect timeout', 'Requests', 'ms', 'Time allowed to connect to an upstream.'),
  knob('first_byte_timeout_ms', 'First-byte timeout', 'Requests', 'ms', 'Time allowed until response headers (and a stream’s first event).'),
  knob('stream_idle_timeout_ms', 'Stream idle timeout', 'Requests', 'ms', 'Longest silence allowed inside a stream.'),
  knob('max_attempts_per_request', 'Max attempts per request', 'Requests', 'attempts', 'Upstream attempts for one client request.'),
];

const SPECS = new Map(KNOBS.map((spec) => [spec.key, spec]));

export function knobSpec(key: PolicyKnob): KnobSpec {
  return SPECS.get(key) as KnobSpec;
}

/** The seed's default as a hint: "default 3", "default 60 s", "default on". */
export function defaultHint(key: PolicyKnob): string {
  const value = DEFAULT_POLICY[key];
  if (typeof value === 'boolean') return `default ${value ? 'on' : 'off'}`;
  const { unit } = knobSpec(key);
  return unit === 's' || unit === 'ms' ? `default ${value} ${unit}` : `default ${value}`;
}

/** The user's unsaved edits: text for number inputs (as typed), booleans for checkboxes. */
export type PolicyEdits = Partial<Record<PolicyKnob, string | boolean>>;

/** What an input shows: the user's edit if any, else the live policy's value. */
export function displayValue(policy: FailoverPolicy, edits: PolicyEdits, key: PolicyKnob): string | boolean {
  const edited = edits[key];
  if (edited !== undefined) return edited;
  const value = policy[key];
  return typeof value === 'boolean' ? value : String(value);
}

/** Text from a number input → a number; blank or garbage → NaN, which the schema reports. */
function parseNumber(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? Number.NaN : Number(trimmed);
}

/** The edits that differ from the live policy, as a patch (numbers parsed; invalid ones included, as NaN). */
export function changedPatch(policy: FailoverPolicy, edits: PolicyEdits): FailoverPolicyPatch {
  const patch: Record<string, number | boolean> = {};
  for (const [key, edited] of Object.entries(edits) as [PolicyKnob, string | boolean][]) {
    const value = typeof edited === 'boolean' ? edited : parseNumber(edited);
    if (!Object.is(value, policy[key])) patch[key] = value;
  }
  return patch as FailoverPolicyPatch;
}

/** Knobs whose values differ between two policies. */
export function changedKnobs(a: FailoverPolicy, b: FailoverPolicy): PolicyKnob[] {
  return KNOBS.map((spec) => spec.key).filter((key) => a[key] !== b[key]);
}

const KNOB_NAME_PATTERN = new RegExp(`\\b(${KNOBS.map((spec) => spec.key).join('|')})\\b`, 'g');

const SINGULAR: Record<string, string> = { failures: 'failure', successes: 'success', switches: 'switch', attempts: 'attempt', seconds: 'second' };

/**
 * Makes a schema message read well in the form: knob names become labels
 * ("ejection_base_time" → "Ejection base time") and "1 failures" → "1 failure".
 */
export function withLabels(message: string): string {
  return message
    .replace(KNOB_NAME_PATTERN, (key) => knobSpec(key as PolicyKnob).label)
    .replace(/\b1 (failures|successes|switches|attempts|seconds)\b/g, (_, unit: string) => `1 ${SINGULAR[unit] ?? unit}`);
}

export type PolicyErrors = Partial<Record<PolicyKnob, string>>;

export type PolicyValidation =
  | { ok: true; patch: FailoverPolicyPatch; policy: FailoverPolicy }
  | { ok: false; errors: PolicyErrors };

/**
 * Validates the edits against the live policy with the shared schema (the
 * same rules the engine applies, cross-field ones included). On success the
 * patch holds only the knobs that change. Each error names its field.
 */
export function validatePolicyEdits(policy: FailoverPolicy, edits: PolicyEdits): PolicyValidation {
  const patch = changedPatch(policy, edits);
  const result = applyPolicyPatch(policy, patch);
  if (result.success) return { ok: true, patch, policy: result.data };
  const issues = [...result.error.issues];
  // Zod skips cross-field rules while any field is invalid; check them on the valid edits so both show at once.
  const invalid = new Set(issues.map((issue) => issue.path[0]));
  const validPart = Object.fromEntries(Object.entries(patch).filter(([key]) => !invalid.has(key)));
  const crossField = applyPolicyPatch(policy, validPart);
  if (!crossField.success) issues.push(...crossField.error.issues.filter((issue) => issue.code === 'custom'));
  const errors: PolicyErrors = {};
  for (const issue of issues) {
    const key = issue.path[0] as PolicyKnob | undefined;
    if (!key || !SPECS.has(key)) continue;
    // The cross-field rule sits on ejection_max_time; show it on the field the user actually changed.
    if (issue.code === 'custom' && key === 'ejection_max_time' && !('ejection_max_time' in patch) && 'ejection_base_time' in patch) {
      errors.ejection_base_time ??= `Ejection base time must be at most Ejection max time (${policy.ejection_max_time} s)`;
      continue;
    }
    errors[key] ??= `${knobSpec(key).label} ${withLabels(issue.message)}`;
  }
  if (Object.keys(errors).length === 0) {
    // Unreachable with today's schema; keep the user informed rather than silently failing.
    errors[Object.keys(patch)[0] as PolicyKnob] = withLabels(result.error.issues[0]?.message ?? 'is invalid');
  }
  return { ok: false, errors };
}

/** Edits that bring every knob back to the seed's default (only those that differ now). */
export function resetToDefaultsEdits(policy: FailoverPolicy): PolicyEdits {
  const edits: PolicyEdits = {};
  for (const key of changedKnobs(policy, DEFAULT_POLICY)) {
    const value = DEFAULT_POLICY[key];
    edits[key] = typeof value === 'boolean' ? value : String(value);
  }
  return edits;
}

/**
 * Splits an engine error like `policy.failure_threshold: must be …; policy.x: …`
 * into field errors (labelled); whatever names no knob stays a form error.
 */
export function serverPolicyErrors(message: string): { fields: PolicyErrors; form: string | null } {
  const fields: PolicyErrors = {};
  const rest: string[] = [];
  for (const part of message.split('; ')) {
    const match = /^(?:policy\.)?([a-z_]+): (.*)$/s.exec(part);
    const key = match?.[1] as PolicyKnob | undefined;
    if (match && key && SPECS.has(key)) fields[key] ??= `${knobSpec(key).label} ${withLabels(match[2] ?? '')}`;
    else rest.push(withLabels(part));
  }
  return { fields, form: rest.length > 0 ? rest.join('; ') : null };
}
