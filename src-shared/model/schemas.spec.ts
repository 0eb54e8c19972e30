import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ApiKeySchema, BaseUrlSchema, ConfigSchema, EndpointSchema, UNAVAILABLE_KEY_PREFIX, keyHint } from './config.js';
import { EVENT_TYPES, FailoverEventSchema } from './event.js';
import { DEFAULT_POLICY, FailoverPolicyPatchSchema, FailoverPolicySchema, applyPolicyPatch } from './policy.js';
import { SETTINGS_SCHEMA_VERSION, SettingsSchema, emptySettings } from './settings.js';
import { describeIssues, formatPath } from './validation.js';

// architecture.md §3 and §5: every input is validated and a bad value gets a
// clear error naming the field; keys never show up beyond a hint.

/** The user-facing message for a value the schema must reject. */
function rejection(schema: z.ZodType, value: unknown, root = ''): string {
  const result = schema.safeParse(value);
  if (result.success) throw new Error(`expected ${JSON.stringify(value)} to be rejected`);
  return describeIssues(result.error, root);
}

function endpoint(id: string, overrides: Record<string, unknown> = {}) {
  return { id, base_url: `https://${id}.example.com`, api_key: `sk-ant-api03-${id}-abcdefghijkl`, ...overrides };
}

/** A valid raw settings document: configs "prod" (2 endpoints) and "backup". */
function rawSettings(overrides: Record<string, unknown> = {}) {
  return {
    schema_version: SETTINGS_SCHEMA_VERSION,
    configs: [
      { name: 'prod', description: 'main account', endpoints: [endpoint('ep-1'), endpoint('ep-2')] },
      { name: 'backup', endpoints: [endpoint('ep-3')] },
    ],
    tiers: { primary: ['prod'], secondary: ['backup'], fallback: [], disabled: [] },
    tier_enabled: { primary: true, secondary: true, fallback: true },
    policy: { ...DEFAULT_POLICY },
    active_config: 'prod',
    pinned: false,
    ...overrides,
  };
}

/** rawSettings with the second endpoint of the first config changed. */
function withSecondEndpoint(overrides: Record<string, unknown>) {
  const raw = rawSettings();
  const [prod, backup] = raw.configs;
  return { ...raw, configs: [{ ...prod, endpoints: [endpoint('ep-1'), endpoint('ep-2', overrides)] }, backup] };
}

describe('the fixtures', () => {
  it('are valid, so each rejection below is caused by the one bad value', () => {
    expect(SettingsSchema.safeParse(rawSettings()).success).toBe(true);
    expect(SettingsSchema.safeParse(withSecondEndpoint({})).success).toBe(true);
    expect(SettingsSchema.safeParse(emptySettings()).success).toBe(true);
  });
});

describe('FailoverPolicy', () => {
  it("defaults to the seed's values", () => {
    const policy = FailoverPolicySchema.parse({});
    expect(policy).toMatchObject({
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
    });
    expect(policy).toEqual(DEFAULT_POLICY);
    expect(emptySettings().policy).toEqual(DEFAULT_POLICY);
  });

  it('gives a stored policy missing a knob that knob’s default, keeping the others', () => {
    const { failure_threshold: _dropped, ...stored } = { ...DEFAULT_POLICY, cooldown_period: 45 };
    const policy = FailoverPolicySchema.parse(stored);
    expect(policy.failure_threshold).toBe(3);
    expect(policy.cooldown_period).toBe(45);

    const settings = SettingsSchema.parse(rawSettings({ policy: { check_interval: 120 } }));
    expect(settings.policy).toEqual({ ...DEFAULT_POLICY, check_interval: 120 });
  });

  it('rejects failure_threshold 0, naming the knob and the bound', () => {
    const message = rejection(FailoverPolicySchema, { failure_threshold: 0 });
    expect(message).toContain('failure_threshold');
    expect(message).toContain('at least 1');
  });

  it('names the knob with its path inside settings', () => {
    expect(rejection(SettingsSchema, rawSettings({ policy: { failure_threshold: 0 } }))).toContain('policy.failure_threshold: must be at least 1');
  });

  it.each<[string, unknown, string]>([
    ['check_interval', 2, 'at least 5'],
    ['check_interval', 90_000, 'at most 86400'],
    ['success_threshold', 2.5, 'whole number'],
    ['max_attempts_per_request', '3', 'must be a number'],
    ['auto_failover_enabled', 'yes', 'true or false'],
  ])('rejects %s = %j with a message naming it', (knob, value, expected) => {
    const message = rejection(FailoverPolicySchema, { [knob]: value });
    expect(message).toMatch(new RegExp(`^${knob}: `));
    expect(message).toContain(expected);
  });

  it('rejects an unknown knob, naming it (a typo must not be silently ignored)', () => {
    const message = rejection(FailoverPolicySchema, { failover_threshold: 5 });
    expect(message).toContain('failover_threshold');
    expect(rejection(FailoverPolicyPatchSchema, { cooldown: 10 })).toContain('"cooldown"');
  });

  it('rejects ejection_max_time below ejection_base_time, naming ejection_max_time', () => {
    const message = rejection(FailoverPolicySchema, { ejection_base_time: 60, ejection_max_time: 30 });
    expect(message).toMatch(/^ejection_max_time: /);
    expect(message).toContain('ejection_base_time');
    expect(FailoverPolicySchema.safeParse({ ejection_base_time: 60, ejection_max_time: 60 }).success).toBe(true);
  });

  it('checks the cross-field rule against defaults too (base above the default cap)', () => {
    expect(rejection(FailoverPolicySchema, { ejection_base_time: DEFAULT_POLICY.ejection_max_time + 1 })).toContain('ejection_max_time');
  });

  it('applyPolicyPatch merges a patch and re-validates the whole', () => {
    const patched = applyPolicyPatch(DEFAULT_POLICY, { failure_threshold: 5, auto_recovery_enabled: true });
    expect(patched.success && patched.data).toEqual({ ...DEFAULT_POLICY, failure_threshold: 5, auto_recovery_enabled: true });

    const crossed = applyPolicyPatch(DEFAULT_POLICY, { ejection_max_time: DEFAULT_POLICY.ejection_base_time - 1 });
    expect(crossed.success).toBe(false);
    if (!crossed.success) expect(describeIssues(crossed.error, 'policy')).toMatch(/^policy\.ejection_max_time: /);
  });
});

describe('Settings consistency', () => {
  it('rejects a config in two tiers, naming the second place', () => {
    const message = rejection(SettingsSchema, rawSettings({ tiers: { primary: ['prod'], secondary: ['backup', 'prod'], fallback: [], disabled: [] } }));
    expect(message).toContain('tiers.secondary[1]');
    expect(message).toContain('"prod" is already in tier primary');
  });

  it('rejects an unknown name in a tier', () => {
    const message = rejection(SettingsSchema, rawSettings({ tiers: { primary: ['prod'], secondary: ['backup'], fallback: ['ghost'], disabled: [] } }));
    expect(message).toBe('tiers.fallback[0]: names unknown config "ghost"');
  });

  it('rejects a config that is in no tier', () => {
    const message = rejection(SettingsSchema, rawSettings({ tiers: { primary: ['prod'], secondary: [], fallback: [], disabled: [] } }));
    expect(message).toBe('configs[1].name: config "backup" is in no tier');
  });

  it('rejects an unknown active_config', () => {
    expect(rejection(SettingsSchema, rawSettings({ active_config: 'ghost' }))).toBe('active_config: names unknown config "ghost"');
    expect(SettingsSchema.safeParse(rawSettings({ active_config: null })).success).toBe(true);
  });

  it('rejects two configs with the same name', () => {
    const raw = rawSettings();
    const message = rejection(SettingsSchema, { ...raw, configs: [raw.configs[0], { ...raw.configs[1], name: 'prod' }], tiers: { ...raw.tiers, secondary: [] } });
    expect(message).toContain('configs[1].name: duplicate config name "prod"');
  });

  it('rejects duplicate endpoint ids within a config, naming the second', () => {
    expect(rejection(SettingsSchema, withSecondEndpoint({ id: 'ep-1' }))).toBe('configs[0].endpoints[1].id: duplicate endpoint id "ep-1"');
  });

  it('rejects a bad config name', () => {
    expect(rejection(SettingsSchema, rawSettings({ configs: [{ name: 'my prod', endpoints: [] }] }))).toContain('configs[0].name: must be 1-64 characters');
  });

  it('rejects an unknown tier and a wrong schema_version', () => {
    expect(rejection(SettingsSchema, rawSettings({ tiers: { primary: ['prod'], secondary: ['backup'], fallback: [], disabled: [], tertiary: [] } }))).toContain(
      'tiers: unknown field(s) "tertiary"',
    );
    expect(rejection(SettingsSchema, rawSettings({ schema_version: 1 }))).toBe(`schema_version: must be ${SETTINGS_SCHEMA_VERSION}`);
  });
});

describe('Endpoint base_url', () => {
  it.each([
    'https://user:pw@api.example.com',
    'https://user@api.example.com',
    'https://api.example.com:443@evil.example',
    'ftp://api.example.com',
    'https://api.example.com/v1?beta=true',
    'https://api.example.com/#top',
    'api.example.com',
    'https://',
    'https://api.example.com/v 1',
  ])('rejects %j, naming configs[0].endpoints[1].base_url', (bad) => {
    const message = rejection(SettingsSchema, withSecondEndpoint({ base_url: bad }));
    expect(message).toMatch(/^configs\[0\]\.endpoints\[1\]\.base_url: must be an http:\/\/ or https:\/\/ URL/);
  });

  it('does not echo credentials from a rejected URL back in the message', () => {
    expect(rejection(SettingsSchema, withSecondEndpoint({ base_url: 'https://admin:hunter2@api.example.com' }))).not.toContain('hunter2');
  });

  it.each([
    ['https://api.anthropic.com', 'https://api.anthropic.com'],
    ['https://api.example.com/', 'https://api.example.com'],
    ['https://gateway.example.com/anthropic/v1/', 'https://gateway.example.com/anthropic/v1'],
    ['https://gateway.example.com/anthropic///', 'https://gateway.example.com/anthropic'],
    ['  http://127.0.0.1:8080/proxy/  ', 'http://127.0.0.1:8080/proxy'],
    ['http://[::1]:3000', 'http://[::1]:3000'],
  ])('accepts %j as %j (whitespace and trailing slashes trimmed)', (input, expected) => {
    expect(BaseUrlSchema.parse(input)).toBe(expected);
  });

  it('stores the trimmed URL in the endpoint, with default auth style and enabled', () => {
    expect(EndpointSchema.parse(endpoint('ep-1', { base_url: 'https://api.example.com/v1/' }))).toEqual({
      id: 'ep-1',
      base_url: 'https://api.example.com/v1',
      api_key: 'sk-ant-api03-ep-1-abcdefghijkl',
      auth_style: 'x-api-key',
      enabled: true,
    });
  });
});

describe('Endpoint api_key', () => {
  it.each([
    ['a space', 'sk-ant-api03 abcdefgh'],
    ['a newline (header injection)', 'sk-ant-api03-abcd\r\nX-Injected: 1'],
    ['a tab', 'sk-ant\tapi03'],
    ['non-ASCII', 'sk-ant-api03-ключ'],
  ])('rejects a key with %s, naming the field and never echoing the key', (_label, key) => {
    const message = rejection(SettingsSchema, withSecondEndpoint({ api_key: key }));
    expect(message).toBe('configs[0].endpoints[1].api_key: must be printable ASCII without spaces');
    expect(message).not.toContain('sk-ant');
  });

  it('rejects an empty key and an absurdly long one', () => {
    expect(rejection(ApiKeySchema, '', 'api_key')).toContain('api_key: must not be empty');
    expect(rejection(ApiKeySchema, 'k'.repeat(513), 'api_key')).toBe('api_key: must be at most 512 characters');
  });

  it('rejects an unknown auth_style with the allowed values', () => {
    expect(rejection(SettingsSchema, withSecondEndpoint({ auth_style: 'basic' }))).toBe(
      'configs[0].endpoints[1].auth_style: must be one of x-api-key, bearer',
    );
  });

  it('rejects an unknown endpoint field, naming it', () => {
    expect(rejection(ConfigSchema, { name: 'prod', endpoints: [endpoint('ep-1', { apikey: 'x' })] })).toBe('endpoints[0]: unknown field(s) "apikey"');
  });
});

describe('keyHint', () => {
  it('shows the 3-character prefix and the last 4 characters of a long key', () => {
    expect(keyHint('sk-ant-api03-Zx9fQ2mN7pLw4vB8kR1tY6hJ-a1b2')).toBe('sk-…a1b2');
  });

  it('says a key this process cannot decrypt is unavailable, rather than showing its stand-in', () => {
    expect(keyHint(`${UNAVAILABLE_KEY_PREFIX}0123456789abcdef`)).toBe('unavailable here');
  });

  it('drops the prefix for a 12-15 character key, shows 2 characters of a shorter one and none under 8', () => {
    expect(keyHint('abcdefghijkl')).toBe('…ijkl');
    expect(keyHint('abcdefghijklmno')).toBe('…lmno');
    expect(keyHint('abcdefghijk')).toBe('…jk');
    expect(keyHint('secret12')).toBe('…12');
    expect(keyHint('secret')).toBe('…');
  });

  it('never reveals more than the 3-character prefix and the last 4 characters (2 for short keys)', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    for (let length = 1; length <= 120; length++) {
      const key = Array.from({ length }, (_, i) => alphabet[(i * 7) % alphabet.length]).join('');
      const hint = keyHint(key);
      const parts = hint.split('…');
      expect(parts, `hint for a ${length}-character key`).toHaveLength(2);
      const [head = '', tail = ''] = parts;
      expect(key.startsWith(head) && key.endsWith(tail)).toBe(true);
      expect(head.length).toBeLessThanOrEqual(3);
      expect(tail.length).toBeLessThanOrEqual(length < 8 ? 0 : length < 12 ? 2 : 4);
      if (length < 12) expect(head).toBe('');
      if (length >= 12) expect((head.length + tail.length) * 2).toBeLessThan(length);
    }
  });
});

describe('FailoverEvent', () => {
  const event = {
    event_id: 'ev-1a2b3c4d',
    event_type: 'failover',
    from_config: 'production',
    to_config: 'backup',
    reason: 'production unhealthy: every endpoint ejected (HTTP 503)',
    timestamp: '2026-01-01T12:00:00.000Z',
    success: true,
  };

  it("accepts an event with the seed's fields", () => {
    expect(FailoverEventSchema.parse(event)).toEqual(event);
    expect(FailoverEventSchema.parse({ ...event, event_type: 'manual', from_config: null }).from_config).toBeNull();
  });

  it.each(Object.keys(event))('requires %s, naming it when missing', (field) => {
    const { [field]: _missing, ...rest } = event as Record<string, unknown>;
    expect(rejection(FailoverEventSchema, rest)).toMatch(new RegExp(`^${field}: `));
  });

  it('knows the event types, and rejects others with the list', () => {
    expect(EVENT_TYPES).toEqual(expect.arrayContaining(['failover', 'recovery', 'manual', 'all_down']));
    expect(rejection(FailoverEventSchema, { ...event, event_type: 'manual_switch' })).toBe(`event_type: must be one of ${EVENT_TYPES.join(', ')}`);
  });

  it('requires an ISO 8601 UTC timestamp', () => {
    expect(rejection(FailoverEventSchema, { ...event, timestamp: 'yesterday' })).toBe('timestamp: must be an ISO 8601 UTC timestamp');
  });

  it('rejects unknown fields (nothing else, e.g. a key, rides along into the log)', () => {
    expect(rejection(FailoverEventSchema, { ...event, api_key: 'sk-x' })).toBe('unknown field(s) "api_key"');
  });
});

describe('describeIssues and formatPath', () => {
  it('renders paths the way a user writes them', () => {
    expect(formatPath(['configs', 0, 'endpoints', 1, 'base_url'])).toBe('configs[0].endpoints[1].base_url');
    expect(formatPath([])).toBe('');
  });

  it('prefixes a root, and joins several problems', () => {
    const message = rejection(FailoverPolicySchema, { failure_threshold: 0, check_interval: 1 }, 'policy:update');
    expect(message).toBe('policy:update.failure_threshold: must be at least 1 failures; policy:update.check_interval: must be at least 5 seconds');
  });
});
