import { z } from 'zod';

/**
 * What a history entry records. The seed's `failover`, `recovery` and `manual`,
 * plus `all_down` (no config left to serve), `recovery_paused` (hourly switch
 * limit reached), `reassigned` (the active config was removed or disabled),
 * and `drill_started` / `drill_ended` (the user's failover drill).
 */
export const EVENT_TYPES = ['failover', 'recovery', 'manual', 'all_down', 'recovery_paused', 'reassigned', 'drill_started', 'drill_ended'] as const;
export type FailoverEventType = (typeof EVENT_TYPES)[number];
export const FailoverEventTypeSchema = z.enum(EVENT_TYPES, {
  error: () => `must be one of ${EVENT_TYPES.join(', ')}`,
});

/** Event types that move traffic automatically and count against max_failovers_per_hour. */
export const AUTOMATIC_SWITCH_TYPES: readonly FailoverEventType[] = ['failover', 'recovery'];

/** One entry of the persistent history, with the seed's field names. */
export const FailoverEventSchema = z
  .object({
    event_id: z.string().min(1),
    event_type: FailoverEventTypeSchema,
    from_config: z.string().nullable(),
    to_config: z.string().nullable(),
    reason: z.string(),
    /** ISO 8601, UTC. */
    timestamp: z.iso.datetime({ error: 'must be an ISO 8601 UTC timestamp' }),
    success: z.boolean(),
  })
  .strict();
export type FailoverEvent = z.infer<typeof FailoverEventSchema>;
