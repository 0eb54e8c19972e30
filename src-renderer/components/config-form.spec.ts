import { describe, expect, it } from 'vitest';
import type { EndpointTestResult } from '../../src-shared/contract/snapshot.js';
import {
  describeTestResult,
  serverErrorField,
  validateAddConfig,
  validateConfigEdit,
  validateEndpointEdit,
  validateNewEndpoint,
  type AddConfigValues,
} from './config-form.js';

const VALID: AddConfigValues = {
  name: 'production',
  description: '',
  tier: 'secondary',
  base_url: 'https://api.example.com/',
  api_key: 'sk-test-1234567890',
  auth_style: 'bearer',
};

describe('validateAddConfig', () => {
  it('builds config:add with the first endpoint (URL normalised, blank description left out)', () => {
    expect(validateAddConfig(VALID, [])).toEqual({
      ok: true,
      value: {
        name: 'production',
        tier: 'secondary',
        endpoints: [{ base_url: 'https://api.example.com', api_key: 'sk-test-1234567890', auth_style: 'bearer' }],
      },
    });
  });

  it('names each bad field', () => {
    const result = validateAddConfig({ ...VALID, name: 'has space', base_url: 'ftp://x', api_key: 'has space' }, []);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.name).toMatch(/^Name must be 1-64 characters/);
      expect(result.errors.base_url).toMatch(/^Base URL must be an http:\/\/ or https:\/\/ URL/);
      expect(result.errors.api_key).toMatch(/^API key must be printable ASCII/);
    }
  });

  it('requires name, URL and key, and refuses a name already taken', () => {
    const blank = validateAddConfig({ ...VALID, name: ' ', base_url: '', api_key: '' }, []);
    expect(!blank.ok && blank.errors).toEqual({
      name: 'Name is required',
      base_url: 'Base URL is required, like https://api.anthropic.com',
      api_key: 'API key is required',
    });
    const taken = validateAddConfig(VALID, ['production']);
    expect(!taken.ok && taken.errors.name).toContain('already used');
  });

  it('never puts the key into an error message', () => {
    const result = validateAddConfig({ ...VALID, api_key: 'sk secret with spaces' }, []);
    expect(JSON.stringify(result)).not.toContain('secret');
  });
});

describe('endpoint forms', () => {
  it('validates a new endpoint', () => {
    expect(validateNewEndpoint('p', { base_url: 'http://127.0.0.1:8080', api_key: 'k-12345678', auth_style: 'x-api-key' })).toEqual({
      ok: true,
      value: { config: 'p', base_url: 'http://127.0.0.1:8080', api_key: 'k-12345678', auth_style: 'x-api-key' },
    });
  });

  it('an edit sends only what changed; a blank key keeps the current one', () => {
    const current = { base_url: 'https://a.example', auth_style: 'x-api-key' as const };
    expect(validateEndpointEdit(current, { base_url: 'https://a.example/', api_key: '', auth_style: 'x-api-key' })).toEqual({ ok: true, value: {} });
    expect(validateEndpointEdit(current, { base_url: 'https://b.example', api_key: 'new-key-123', auth_style: 'bearer' })).toEqual({
      ok: true,
      value: { base_url: 'https://b.example', api_key: 'new-key-123', auth_style: 'bearer' },
    });
    const bad = validateEndpointEdit(current, { base_url: 'nope', api_key: 'a b', auth_style: 'bearer' });
    expect(!bad.ok && Object.keys(bad.errors).sort()).toEqual(['api_key', 'base_url']);
  });
});

describe('validateConfigEdit', () => {
  const current = { name: 'production', description: 'main', message_probe: null };

  it('returns null when nothing changed', () => {
    expect(validateConfigEdit(current, { name: 'production', description: 'main', probe_model: '' }, [])).toEqual({ ok: true, value: null });
  });

  it('renames, describes and opts into the message probe', () => {
    expect(validateConfigEdit(current, { name: 'prod', description: 'new', probe_model: 'claude-haiku' }, ['backup'])).toEqual({
      ok: true,
      value: { name: 'production', new_name: 'prod', description: 'new', message_probe: { model: 'claude-haiku' } },
    });
    expect(
      validateConfigEdit({ ...current, message_probe: { model: 'm' } }, { name: 'production', description: 'main', probe_model: '' }, []),
    ).toEqual({ ok: true, value: { name: 'production', message_probe: null } });
  });

  it('refuses a rename onto another config', () => {
    const result = validateConfigEdit(current, { name: 'backup', description: 'main', probe_model: '' }, ['backup']);
    expect(!result.ok && result.errors.name).toContain('already used');
  });
});

describe('describeTestResult', () => {
  const base = { endpoint: {} as EndpointTestResult['endpoint'] };
  it('says ✓ reachable with the latency, or ✗ with what went wrong', () => {
    expect(describeTestResult({ ...base, outcome: 'success', detail: 'reachable, key accepted', latency_ms: 123.4 })).toBe('✓ reachable (123 ms)');
    expect(describeTestResult({ ...base, outcome: 'success', detail: 'ok', latency_ms: null })).toBe('✓ reachable');
    expect(describeTestResult({ ...base, outcome: 'credential_rejected', detail: 'key rejected (401)', latency_ms: null })).toBe('✗ key rejected (401)');
  });
});

describe('serverErrorField', () => {
  it('finds the field an engine error is about', () => {
    const fields = ['name', 'base_url', 'api_key'] as const;
    expect(serverErrorField('already_exists', 'a config named "x" already exists', fields)).toBe('name');
    expect(serverErrorField('invalid_argument', 'config:add: endpoints[0].base_url: must be …', fields)).toBe('base_url');
    expect(serverErrorField('storage_failed', 'disk full', fields)).toBeNull();
  });
});
