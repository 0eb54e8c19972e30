import { z } from 'zod';

const wholeNumber = (min: number, max: number, unit: string) =>
  z
    .number({ error: `must be a number (${unit})` })
    .int({ error: `must be a whole number (${unit})` })
    .min(min, { error: `must be at least ${min} ${unit}` })
    .max(max, { error: `must be at most ${max} ${unit}` });

const flag = () => z.boolean({ error: 'must be true or false' });

/**
 * Every knob of the seed's FailoverPolicy, with its units, plus the knobs the
 * per-request proxy needs. Seed knobs keep the seed's names and are in seconds;
 * request timeouts are in milliseconds (`_ms`).
 */
const PolicyKnobsSchema = z
  .object({
    auto_failover_enabled: flag(),
    auto_recovery_enabled: flag(),
    /** Consecutive failures that eject an endpoint. */
    failure_threshold: wholeNumber(1, 100, 'failures'),
    /** Consecutive successes a higher-ranked config needs before recovery. */
    success_threshold: wholeNumber(1, 100, 'successes'),
    /** Seconds between active health checks. */
    check_interval: wholeNumber(5, 86_400, 'seconds'),
    /** Seconds after any switch before an automatic recovery may happen. */
    cooldown_period: wholeNumber(0, 86_400, 'seconds'),
    /** Seconds a recovered config must go without failure before recovery. */
    recovery_delay: wholeNumber(0, 86_400, 'seconds'),
    notify_on_failover: flag(),
    notify_on_recovery: flag(),
    /** Automatic switches allowed per rolling hour before recovery pauses. */
    max_failovers_per_hour: wholeNumber(1, 1_000, 'switches'),
    /** Base ejection time of an endpoint; the n-th ejection in a row lasts base × n. */
    ejection_base_time: wholeNumber(1, 3_600, 'seconds'),
    /** Cap on one ejection. */
    ejection_max_time: wholeNumber(1, 86_400, 'seconds'),
    connect_timeout_ms: wholeNumber(100, 120_000, 'ms'),
    /** Time allowed until response headers (and, for a stream, its first event). */
    first_byte_timeout_ms: wholeNumber(1_000, 900_000, 'ms'),
    /** Longest silence allowed inside a committed stream (Anthropic pings ~every 15 s). */
    stream_idle_timeout_ms: wholeNumber(1_000, 900_000, 'ms'),
    /** Upper bound on upstream attempts for one client request. */
    max_attempts_per_request: wholeNumber(1, 20, 'attempts'),
  })
  .strict();

export type FailoverPolicy = z.infer<typeof PolicyKnobsSchema>;
export type PolicyKnob = keyof FailoverPolicy;

/** The seed's defaults, and ours for the knobs the seed does not have. */
export const DEFAULT_POLICY: Readonly<FailoverPolicy> = Object.freeze({
  auto_failover_enabled: true,
  auto_recovery_enabled: false,
  failure_threshold: 3,
  success_threshold: 3,
  check_interval: 60,
  cooldown_period: 300,
  recovery_delay: 600,
  notify_on_failover: true,
  notify_on_recovery: true,
  max_failovers_per_hour: 10,
  ejection_base_time: 30,
  ejection_max_time: 300,
  connect_timeout_ms: 5_000,
  first_byte_timeout_ms: 120_000,
  stream_idle_timeout_ms: 90_000,
  max_attempts_per_request: 6,
});

function checkCrossField(policy: FailoverPolicy, ctx: z.RefinementCtx): void {
  if (policy.ejection_max_time < policy.ejection_base_time) {
    ctx.addIssue({
      code: 'custom',
      path: ['ejection_max_time'],
      message: `must be at least ejection_base_time (${policy.ejection_base_time} seconds)`,
    });
  }
}

/** A partial policy as sent by `policy:update`; unknown knobs are rejected. */
export const FailoverPolicyPatchSchema = PolicyKnobsSchema.partial();
export type FailoverPolicyPatch = z.infer<typeof FailoverPolicyPatchSchema>;

/** A complete policy; knobs missing from stored documents take their defaults. */
export const FailoverPolicySchema = FailoverPolicyPatchSchema.transform(
  (partial): FailoverPolicy => ({ ...DEFAULT_POLICY, ...partial }),
).superRefine(checkCrossField);

/** Applies a patch and re-validates the result as a whole (cross-field rules). */
export function applyPolicyPatch(
  policy: FailoverPolicy,
  patch: FailoverPolicyPatch,
): z.ZodSafeParseResult<FailoverPolicy> {
  return FailoverPolicySchema.safeParse({ ...policy, ...patch });
}
