import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src-shared/contract/errors.js';
import { DEFAULT_POLICY } from '../../../src-shared/model/policy.js';
import { SETTINGS_SCHEMA_VERSION, SettingsSchema } from '../../../src-shared/model/settings.js';
import { V1_DOCUMENT } from './testing/settings-fixtures.js';
import { NewerSettingsVersionError, SettingsMigrationError, migrateSettings, settingsVersionOf } from './settings-migrations.js';

describe('settingsVersionOf', () => {
  it('reads schema_version, treating a missing one as our first release', () => {
    expect(settingsVersionOf({ schema_version: 2 })).toBe(2);
    expect(settingsVersionOf({ configs: [] })).toBe(1);
  });

  it('has no answer for non-objects and nonsense versions', () => {
    for (const raw of [null, [], 'x', 3, { schema_version: '2' }, { schema_version: 1.5 }, { schema_version: 0 }]) {
      expect(settingsVersionOf(raw)).toBeUndefined();
    }
  });
});

describe('migrateSettings', () => {
  it('maps a v1 document onto the current schema', () => {
    const { doc, from } = migrateSettings(structuredClone(V1_DOCUMENT));
    expect(from).toBe(1);
    const settings = SettingsSchema.parse(doc);
    expect(settings.schema_version).toBe(SETTINGS_SCHEMA_VERSION);
    expect(settings.configs.map((c) => c.name)).toEqual(['work', 'spare', 'personal', 'old']);
    expect(settings.configs[0]).toEqual({
      name: 'work',
      description: 'company account',
      endpoints: [
        { id: 'ep-1', base_url: 'https://api.anthropic.com', api_key: 'sk-ant-work-1234567890', auth_style: 'bearer', enabled: true },
        { id: 'ep-2', base_url: 'https://backup.example.com', api_key: 'sk-ant-work-backup-0987', auth_style: 'x-api-key', enabled: true },
      ],
      message_probe: null,
    });
    expect(settings.configs[1]?.description).toBe('');
    // Tier lists keep file order.
    expect(settings.tiers).toEqual({ primary: ['work', 'personal'], secondary: [], fallback: ['spare'], disabled: ['old'] });
    expect(settings.tier_enabled).toEqual({ primary: true, secondary: true, fallback: true });
    expect(settings.policy).toEqual({ ...DEFAULT_POLICY, failure_threshold: 5, auto_recovery_enabled: true });
    expect(settings.active_config).toBe('personal');
    expect(settings.pinned).toBe(false);
  });

  it('treats a document without schema_version as v1', () => {
    const { schema_version: _, ...unversioned } = structuredClone(V1_DOCUMENT);
    const { doc, from } = migrateSettings({ ...unversioned, active: undefined });
    expect(from).toBe(1);
    expect(SettingsSchema.parse(doc).active_config).toBeNull();
  });

  it('passes a current document through untouched', () => {
    const current = { schema_version: SETTINGS_SCHEMA_VERSION, anything: true };
    expect(migrateSettings(current)).toEqual({ doc: current, from: SETTINGS_SCHEMA_VERSION });
  });

  it('refuses a document from a newer version', () => {
    const error = (() => {
      try {
        migrateSettings({ schema_version: SETTINGS_SCHEMA_VERSION + 1 });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NewerSettingsVersionError);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: 'failed_precondition', version: SETTINGS_SCHEMA_VERSION + 1 });
    expect((error as Error).message).toContain(`newer QCC (schema ${SETTINGS_SCHEMA_VERSION + 1})`);
  });

  it('names the v1 field that is wrong, without echoing the key', () => {
    const bad = structuredClone(V1_DOCUMENT);
    bad.configs[0]!.endpoints[1]!.url = 'ftp://nope';
    bad.configs[2]!.endpoints[0]!.key = 'sk secret with spaces';
    const error = (() => {
      try {
        migrateSettings(bad);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SettingsMigrationError);
    const detail = (error as SettingsMigrationError).detail;
    expect(detail).toContain('configs[0].endpoints[1].url');
    expect(detail).toContain('configs[2].endpoints[0].key');
    expect(detail).not.toContain('secret with spaces');
  });
});
