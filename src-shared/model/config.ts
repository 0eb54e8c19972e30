import { z } from 'zod';

/** How an endpoint's key is presented upstream. */
export const AUTH_STYLES = ['x-api-key', 'bearer'] as const;
export type AuthStyle = (typeof AUTH_STYLES)[number];
export const AuthStyleSchema = z.enum(AUTH_STYLES, {
  error: () => `must be one of ${AUTH_STYLES.join(', ')}`,
});

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A config name: usable as a CLI argument and in a URL without quoting. */
export const ConfigNameSchema = z
  .string({ error: 'must be a string' })
  .regex(NAME_PATTERN, {
    error:
      'must be 1-64 characters: letters, digits, ".", "_" or "-", starting with a letter or digit',
  });

export const EndpointIdSchema = z
  .string({ error: 'must be a string' })
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, { error: 'must be a short id like "ep-1a2b3c"' });

// A regex, not URL: src-shared runs with no platform globals (no DOM, no Node).
const BASE_URL_PATTERN = /^https?:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?(\/[^\s?#]*)?$/;

/** An upstream base URL: http(s), host, optional port and path prefix; no credentials or query. */
export const BaseUrlSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .regex(BASE_URL_PATTERN, {
    error: 'must be an http:// or https:// URL like https://api.anthropic.com (no credentials, query or fragment)',
  })
  .transform((url) => url.replace(/\/+$/, ''));

/** API keys go into a header: no whitespace or control characters (header injection). */
export const ApiKeySchema = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .max(512, { error: 'must be at most 512 characters' })
  .regex(/^[\x21-\x7e]+$/, { error: 'must be printable ASCII without spaces' });

export const EndpointSchema = z
  .object({
    id: EndpointIdSchema,
    base_url: BaseUrlSchema,
    api_key: ApiKeySchema,
    auth_style: AuthStyleSchema.default('x-api-key'),
    enabled: z.boolean({ error: 'must be true or false' }).default(true),
  })
  .strict();
export type Endpoint = z.infer<typeof EndpointSchema>;

/**
 * In memory, a key this process could not decrypt (sealed with the desktop
 * app's keychain, or the keychain changed) is replaced by a placeholder that
 * starts with this. It must never be sent anywhere: it is not the key.
 */
export const UNAVAILABLE_KEY_PREFIX = 'qcc-key-unavailable-';

/** Whether this endpoint's key is a stand-in for one this process cannot decrypt. */
export function keyUnavailable(endpoint: Pick<Endpoint, 'api_key'>): boolean {
  return endpoint.api_key.startsWith(UNAVAILABLE_KEY_PREFIX);
}

/** Whether requests and probes may go to this endpoint: enabled, and its key usable here. */
export function endpointCanServe(endpoint: Pick<Endpoint, 'enabled' | 'api_key'>): boolean {
  return endpoint.enabled && !keyUnavailable(endpoint);
}

/** Opt-in token-spending probe: a 1-token /v1/messages request with this model. */
export const MessageProbeSchema = z
  .object({ model: z.string().min(1, { error: 'must name a model' }).max(128) })
  .strict();

export const ConfigSchema = z
  .object({
    name: ConfigNameSchema,
    description: z.string({ error: 'must be a string' }).max(500, { error: 'must be at most 500 characters' }).default(''),
    endpoints: z.array(EndpointSchema, { error: 'must be a list of endpoints' }).max(50, { error: 'must have at most 50 endpoints' }),
    message_probe: MessageProbeSchema.nullable().default(null),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.endpoints.forEach((endpoint, index) => {
      if (seen.has(endpoint.id)) {
        ctx.addIssue({ code: 'custom', path: ['endpoints', index, 'id'], message: `duplicate endpoint id "${endpoint.id}"` });
      }
      seen.add(endpoint.id);
    });
  });
export type Config = z.infer<typeof ConfigSchema>;

/**
 * A hint that identifies a key to its owner without revealing it: `sk-…a1b2`.
 * Shorter keys show less (2 characters, or none under 8) so a hint never gives
 * away a meaningful share of one.
 */
export function keyHint(apiKey: string): string {
  // The stand-in's tail would pass for the key's own.
  if (apiKey.startsWith(UNAVAILABLE_KEY_PREFIX)) return 'unavailable here';
  if (apiKey.length < 8) return '…';
  const tail = apiKey.length >= 12 ? apiKey.slice(-4) : apiKey.slice(-2);
  const head = apiKey.length >= 16 ? apiKey.slice(0, 3) : '';
  return `${head}…${tail}`;
}
