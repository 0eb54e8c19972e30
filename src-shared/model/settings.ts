import { z } from 'zod';
import { ConfigSchema, type Config } from './config.js';
import { DEFAULT_POLICY, FailoverPolicySchema } from './policy.js';
import { TIERS, type Tier } from './tier.js';

/** Version of the settings document this code writes. Older ones are migrated on load. */
export const SETTINGS_SCHEMA_VERSION = 2;

const NameListSchema = z.array(z.string(), { error: 'must be a list of config names' });

/**
 * The whole persisted state: configs, their tiers and order, the policy, the
 * active config and the pin. One document so one atomic write keeps it consistent.
 */
export const SettingsSchema = z
  .object({
    schema_version: z.literal(SETTINGS_SCHEMA_VERSION, {
      error: `must be ${SETTINGS_SCHEMA_VERSION}`,
    }),
    configs: z.array(ConfigSchema, { error: 'must be a list of configs' }),
    /** Config names per tier, in preference order (the seed's PriorityGroup.config_names). */
    tiers: z
      .object({
        primary: NameListSchema,
        secondary: NameListSchema,
        fallback: NameListSchema,
        disabled: NameListSchema,
      })
      .strict(),
    /** The seed's PriorityGroup.enabled, per serving tier. */
    tier_enabled: z
      .object({ primary: z.boolean(), secondary: z.boolean(), fallback: z.boolean() })
      .strict(),
    policy: FailoverPolicySchema,
    active_config: z.string().nullable(),
    /** Set by a manual switch: no automatic recovery away from the active config. */
    pinned: z.boolean(),
  })
  .strict()
  .superRefine((settings, ctx) => {
    const names = new Set<string>();
    settings.configs.forEach((config, index) => {
      if (names.has(config.name)) {
        ctx.addIssue({ code: 'custom', path: ['configs', index, 'name'], message: `duplicate config name "${config.name}"` });
      }
      names.add(config.name);
    });
    const placed = new Map<string, Tier>();
    for (const tier of TIERS) {
      settings.tiers[tier].forEach((name, index) => {
        if (!names.has(name)) {
          ctx.addIssue({ code: 'custom', path: ['tiers', tier, index], message: `names unknown config "${name}"` });
        } else if (placed.has(name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['tiers', tier, index],
            message: `config "${name}" is already in tier ${placed.get(name)}`,
          });
        }
        placed.set(name, tier);
      });
    }
    settings.configs.forEach((config, index) => {
      if (!placed.has(config.name)) {
        ctx.addIssue({ code: 'custom', path: ['configs', index, 'name'], message: `config "${config.name}" is in no tier` });
      }
    });
    if (settings.active_config !== null && !names.has(settings.active_config)) {
      ctx.addIssue({ code: 'custom', path: ['active_config'], message: `names unknown config "${settings.active_config}"` });
    }
  });

export type Settings = z.infer<typeof SettingsSchema>;

/** A first run: no configs, the seed's policy defaults. */
export function emptySettings(): Settings {
  return {
    schema_version: SETTINGS_SCHEMA_VERSION,
    configs: [],
    tiers: { primary: [], secondary: [], fallback: [], disabled: [] },
    tier_enabled: { primary: true, secondary: true, fallback: true },
    policy: { ...DEFAULT_POLICY },
    active_config: null,
    pinned: false,
  };
}

export function findConfig(settings: Settings, name: string): Config | undefined {
  return settings.configs.find((config) => config.name === name);
}
