import { z } from 'zod';
import { EngineError } from '../../../src-shared/contract/errors.js';
import {
  ApiKeySchema,
  AuthStyleSchema,
  BaseUrlSchema,
  ConfigNameSchema,
  EndpointIdSchema,
} from '../../../src-shared/model/config.js';
import { SETTINGS_SCHEMA_VERSION } from '../../../src-shared/model/settings.js';
import { TIERS, TierSchema } from '../../../src-shared/model/tier.js';
import { describeIssues } from '../../../src-shared/model/validation.js';

/** One step: a document of version N in, a document of version N + 1 out. Throws SettingsMigrationError. */
export type SettingsMigration = (doc: unknown) => unknown;

/** The stored document is from an older release and does not match that release's shape either. */
export class SettingsMigrationError extends Error {
  constructor(
    readonly fromVersion: number,
    /** describeIssues output: field paths of the old document, never values. */
    readonly detail: string,
  ) {
    super(`settings schema ${fromVersion} document is not valid: ${detail}`);
    this.name = 'SettingsMigrationError';
  }
}

/**
 * The stored document is from a newer release. It must be neither migrated nor
 * overwritten: this release would drop whatever the newer one added.
 */
export class NewerSettingsVersionError extends EngineError {
  constructor(readonly version: number) {
    super(
      'failed_precondition',
      `settings were written by a newer QCC (schema ${version}); this QCC understands schema ${SETTINGS_SCHEMA_VERSION} and will not change them`,
    );
    this.name = 'NewerSettingsVersionError';
  }
}

// Version 1: our first release. Field rules are today's so the error names the
// v1 field (`url`, `key`) rather than the v2 field it would have become.
// Unknown fields are dropped rather than rejected: the original is kept as a
// backup, and refusing the whole file would be harsher than losing a stray key.
const V1EndpointSchema = z.object({
  id: EndpointIdSchema,
  url: BaseUrlSchema,
  key: ApiKeySchema,
  auth: AuthStyleSchema.optional(),
});

const V1ConfigSchema = z.object({
  name: ConfigNameSchema,
  description: z.string({ error: 'must be a string' }).optional(),
  priority: TierSchema,
  endpoints: z.array(V1EndpointSchema, { error: 'must be a list of endpoints' }),
});

const V1SettingsSchema = z.object({
  schema_version: z.literal(1, { error: 'must be 1' }).optional(),
  configs: z.array(V1ConfigSchema, { error: 'must be a list of configs' }),
  // Knob names did not change; the v2 schema validates them and fills defaults.
  policy: z.record(z.string(), z.unknown(), { error: 'must be an object of policy knobs' }).optional(),
  active: z.string({ error: 'must be a config name or null' }).nullable().optional(),
});

function migrateV1ToV2(doc: unknown): unknown {
  const parsed = V1SettingsSchema.safeParse(doc);
  if (!parsed.success) throw new SettingsMigrationError(1, describeIssues(parsed.error));
  const v1 = parsed.data;
  const tiers = Object.fromEntries(TIERS.map((tier) => [tier, [] as string[]])) as Record<(typeof TIERS)[number], string[]>;
  for (const config of v1.configs) tiers[config.priority].push(config.name);
  return {
    schema_version: 2,
    configs: v1.configs.map((config) => ({
      name: config.name,
      description: config.description ?? '',
      endpoints: config.endpoints.map((endpoint) => ({
        id: endpoint.id,
        base_url: endpoint.url,
        api_key: endpoint.key,
        auth_style: endpoint.auth ?? 'x-api-key',
        enabled: true,
      })),
      message_probe: null,
    })),
    tiers,
    tier_enabled: { primary: true, secondary: true, fallback: true },
    policy: v1.policy ?? {},
    active_config: v1.active ?? null,
    pinned: false,
  };
}

/** Migrations keyed by the version they start from; applied in sequence up to SETTINGS_SCHEMA_VERSION. */
export const SETTINGS_MIGRATIONS: Readonly<Record<number, SettingsMigration>> = Object.freeze({
  1: migrateV1ToV2,
});

/**
 * The schema version a stored document claims: no `schema_version` means our
 * first release, which did not write one. Undefined when the document is not
 * an object or the version is not a positive whole number.
 */
export function settingsVersionOf(raw: unknown): number | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  if (!('schema_version' in raw)) return 1;
  const version = (raw as { schema_version: unknown }).schema_version;
  return typeof version === 'number' && Number.isInteger(version) && version >= 1 ? version : undefined;
}

/**
 * Brings a parsed settings document up to SETTINGS_SCHEMA_VERSION. `from` is
 * the version it was stored as; the result still needs SettingsSchema. A
 * document with no recognisable version is returned as-is so that schema
 * validation names what is wrong. Throws NewerSettingsVersionError for a
 * document from a newer release and SettingsMigrationError for a malformed old one.
 */
export function migrateSettings(raw: unknown): { doc: unknown; from: number } {
  const from = settingsVersionOf(raw);
  if (from === undefined) return { doc: raw, from: SETTINGS_SCHEMA_VERSION };
  if (from > SETTINGS_SCHEMA_VERSION) throw new NewerSettingsVersionError(from);
  let doc = raw;
  for (let version = from; version < SETTINGS_SCHEMA_VERSION; version++) {
    const step = SETTINGS_MIGRATIONS[version];
    if (!step) throw new EngineError('internal', `no migration from settings schema ${version} to ${version + 1}`);
    doc = step(doc);
  }
  return { doc, from };
}
