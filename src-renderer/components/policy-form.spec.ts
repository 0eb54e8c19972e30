import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, FailoverPolicyPatchSchema, type FailoverPolicy } from '../../src-shared/model/policy.js';
import {
  KNOBS,
  changedKnobs,
  changedPatch,
  defaultHint,
  displayValue,
  resetToDefaultsEdits,
  serverPolicyErrors,
  validatePolicyEdits,
} from './policy-form.js';

const POLICY: FailoverPolicy = { ...DEFAULT_POLICY, failure_threshold: 2, check_interval: 5 };

describe('knob table', () => {
  it('covers every knob of the shared schema exactly once', () => {
    expect(KNOBS.map((k) => k.key).sort()).toEqual(Object.keys(FailoverPolicyPatchSchema.shape).sort());
  });

  it('takes bounds from the schema and gives numbers a unit', () => {
    const threshold = KNOBS.find((k) => k.key === 'failure_threshold');
    expect(threshold).toMatchObject({ kind: 'number', min: 1, max: 100, unit: 'failures', label: 'Failure threshold' });
    expect(KNOBS.find((k) => k.key === 'connect_timeout_ms')).toMatchObject({ unit: 'ms', min: 100 });
    expect(KNOBS.find((k) => k.key === 'auto_failover_enabled')).toMatchObject({ kind: 'flag' });
    for (const knob of KNOBS) if (knob.kind === 'number') expect(knob.unit).not.toBe('');
  });

  it('hints the seed defaults', () => {
    expect(defaultHint('failure_threshold')).toBe('default 3');
    expect(defaultHint('check_interval')).toBe('default 60 s');
    expect(defaultHint('connect_timeout_ms')).toBe('default 5000 ms');
    expect(defaultHint('auto_recovery_enabled')).toBe('default off');
    expect(defaultHint('notify_on_failover')).toBe('default on');
  });
});

describe('validatePolicyEdits', () => {
  it('accepts no edits with an empty patch', () => {
    expect(validatePolicyEdits(POLICY, {})).toEqual({ ok: true, patch: {}, policy: POLICY });
  });

  it('sends only the knobs that changed', () => {
    const result = validatePolicyEdits(POLICY, { failure_threshold: '5', check_interval: '5', auto_failover_enabled: true });
    expect(result.ok && result.patch).toEqual({ failure_threshold: 5 });
  });

  it('rejects 0 with a message naming the field and the bound', () => {
    const result = validatePolicyEdits(POLICY, { failure_threshold: '0' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.failure_threshold).toMatch(/^Failure threshold /);
      expect(result.errors.failure_threshold).toBe('Failure threshold must be at least 1 failure');
      expect(Object.keys(result.errors)).toEqual(['failure_threshold']);
    }
  });

  it('rejects blanks, fractions and out-of-range values, each naming its field', () => {
    const result = validatePolicyEdits(POLICY, { check_interval: '', success_threshold: '1.5', connect_timeout_ms: '999999' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.check_interval).toMatch(/^Check interval must be a number/);
      expect(result.errors.success_threshold).toMatch(/^Success threshold must be a whole number/);
      expect(result.errors.connect_timeout_ms).toMatch(/^Connect timeout must be at most 120000 ms/);
    }
  });

  it('applies the cross-field rule ejection_max_time ≥ ejection_base_time, in the user’s words', () => {
    const max = validatePolicyEdits(POLICY, { ejection_max_time: '10' });
    expect(max.ok).toBe(false);
    if (!max.ok) expect(max.errors.ejection_max_time).toBe('Ejection max time must be at least Ejection base time (30 seconds)');

    // Raising the base past the max: the error sits on the field the user changed.
    const base = validatePolicyEdits(POLICY, { ejection_base_time: '600' });
    expect(base.ok).toBe(false);
    if (!base.ok) {
      expect(base.errors.ejection_base_time).toContain('Ejection max time');
      expect(base.errors.ejection_max_time).toBeUndefined();
    }

    // A field error elsewhere does not hide the cross-field one.
    const mixed = validatePolicyEdits(POLICY, { failure_threshold: '0', ejection_max_time: '10' });
    expect(!mixed.ok && Object.keys(mixed.errors).sort()).toEqual(['ejection_max_time', 'failure_threshold']);

    const both = validatePolicyEdits(POLICY, { ejection_base_time: '600', ejection_max_time: '900' });
    expect(both.ok && both.patch).toEqual({ ejection_base_time: 600, ejection_max_time: 900 });
  });
});

describe('edits and the live policy', () => {
  it('shows the edit when there is one, else the live value', () => {
    expect(displayValue(POLICY, { failure_threshold: '7' }, 'failure_threshold')).toBe('7');
    expect(displayValue(POLICY, {}, 'failure_threshold')).toBe('2');
    expect(displayValue(POLICY, {}, 'auto_recovery_enabled')).toBe(false);
  });

  it('keeps invalid edits in the patch so they are never silently dropped', () => {
    expect(Number.isNaN(changedPatch(POLICY, { failure_threshold: 'x' }).failure_threshold)).toBe(true);
  });

  it('lists knobs changed between two policies', () => {
    expect(changedKnobs(POLICY, { ...POLICY, recovery_delay: 1, notify_on_recovery: false })).toEqual(['recovery_delay', 'notify_on_recovery']);
  });

  it('reset to defaults fills in only the knobs that differ', () => {
    const edits = resetToDefaultsEdits(POLICY);
    expect(edits).toEqual({ failure_threshold: '3', check_interval: '60' });
    const result = validatePolicyEdits(POLICY, edits);
    expect(result.ok && result.policy).toEqual(DEFAULT_POLICY);
  });
});

describe('serverPolicyErrors', () => {
  it('maps the engine’s field errors to labelled field messages', () => {
    const parsed = serverPolicyErrors('policy.failure_threshold: must be at least 1 failures; policy: something else');
    expect(parsed.fields.failure_threshold).toBe('Failure threshold must be at least 1 failure');
    expect(parsed.form).toBe('policy: something else');
  });

  it('keeps an unrelated message as a form error', () => {
    expect(serverPolicyErrors('settings file is locked')).toEqual({ fields: {}, form: 'settings file is locked' });
  });
});
