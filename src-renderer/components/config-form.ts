import { z } from 'zod';
import type { CommandArgs } from '../../src-shared/contract/commands.js';
import type { EndpointTestResult } from '../../src-shared/contract/snapshot.js';
import {
  AUTH_STYLES,
  ApiKeySchema,
  BaseUrlSchema,
  ConfigNameSchema,
  MessageProbeSchema,
  type AuthStyle,
} from '../../src-shared/model/config.js';
import { TIERS, type Tier } from '../../src-shared/model/tier.js';

/** Window events that open the config dialogs (the board's card menu and the empty state dispatch them). */
export const ADD_CONFIG_EVENT = 'qcc:add-config';
export const EDIT_CONFIG_EVENT = 'qcc:edit-config';

/** Asks the ConfigEditor to open its "Add config" dialog. */
export function requestAddConfig(): void {
  window.dispatchEvent(new CustomEvent(ADD_CONFIG_EVENT));
}

/** Asks the ConfigEditor to open "Edit <name>". */
export function requestEditConfig(name: string): void {
  window.dispatchEvent(new CustomEvent(EDIT_CONFIG_EVENT, { detail: { name } }));
}

export const TIER_LABELS: Readonly<Record<Tier, string>> = {
  primary: 'Primary',
  secondary: 'Secondary',
  fallback: 'Fallback',
  disabled: 'Disabled',
};

export const AUTH_STYLE_LABELS: Readonly<Record<AuthStyle, string>> = {
  'x-api-key': 'x-api-key header',
  bearer: 'Authorization: Bearer',
};

export function isTier(value: string): value is Tier {
  return (TIERS as readonly string[]).includes(value);
}

export function isAuthStyle(value: string): value is AuthStyle {
  return (AUTH_STYLES as readonly string[]).includes(value);
}

const DescriptionSchema = z.string().max(500, { error: 'must be at most 500 characters' });

/** Field → message, each message starting with the field's label. */
export type FieldErrors<F extends string> = Partial<Record<F, string>>;

type Validation<F extends string, T> = { ok: true; value: T } | { ok: false; errors: FieldErrors<F> };

function check<F extends string, T>(
  errors: FieldErrors<F>,
  field: F,
  label: string,
  schema: z.ZodType<T>,
  input: unknown,
): T | undefined {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  errors[field] = `${label} ${result.error.issues[0]?.message ?? 'is invalid'}`;
  return undefined;
}

export interface EndpointFormValues {
  base_url: string;
  api_key: string;
  auth_style: AuthStyle;
}

export type EndpointField = 'base_url' | 'api_key';

function checkEndpoint<F extends string>(errors: FieldErrors<F | EndpointField>, values: EndpointFormValues) {
  const base_url = values.base_url.trim() === '' ? undefined : check(errors, 'base_url', 'Base URL', BaseUrlSchema, values.base_url);
  if (values.base_url.trim() === '') errors.base_url = 'Base URL is required, like https://api.anthropic.com';
  const api_key = values.api_key === '' ? undefined : check(errors, 'api_key', 'API key', ApiKeySchema, values.api_key);
  if (values.api_key === '') errors.api_key = 'API key is required';
  return base_url !== undefined && api_key !== undefined ? { base_url, api_key, auth_style: values.auth_style } : undefined;
}

export interface AddConfigValues extends EndpointFormValues {
  name: string;
  description: string;
  tier: Tier;
}

export type AddConfigField = 'name' | 'description' | EndpointField;

/**
 * Validates the "Add config" form with the shared schemas (the engine checks
 * them again) and builds `config:add`'s payload with its first endpoint.
 */
export function validateAddConfig(
  values: AddConfigValues,
  existingNames: readonly string[],
): Validation<AddConfigField, CommandArgs<'config:add'>> {
  const errors: FieldErrors<AddConfigField> = {};
  const name = values.name.trim();
  if (name === '') errors.name = 'Name is required';
  else if (check(errors, 'name', 'Name', ConfigNameSchema, name) !== undefined && existingNames.includes(name)) {
    errors.name = `Name "${name}" is already used by another config`;
  }
  const description = check(errors, 'description', 'Description', DescriptionSchema, values.description.trim());
  const endpoint = checkEndpoint(errors, values);
  if (Object.keys(errors).length > 0 || !endpoint) return { ok: false, errors };
  return {
    ok: true,
    value: {
      name,
      ...(description ? { description } : {}),
      tier: values.tier,
      endpoints: [endpoint],
    },
  };
}

/** Validates one endpoint to add to `config`. */
export function validateNewEndpoint(
  config: string,
  values: EndpointFormValues,
): Validation<EndpointField, CommandArgs<'endpoint:add'>> {
  const errors: FieldErrors<EndpointField> = {};
  const endpoint = checkEndpoint(errors, values);
  if (!endpoint) return { ok: false, errors };
  return { ok: true, value: { config, ...endpoint } };
}

export interface EndpointEditValues {
  base_url: string;
  /** Blank keeps the current key. */
  api_key: string;
  auth_style: AuthStyle;
}

/** Validates an endpoint edit; the patch holds only what changed (a blank key means "keep"). */
export function validateEndpointEdit(
  current: { base_url: string; auth_style: AuthStyle },
  values: EndpointEditValues,
): Validation<EndpointField, { base_url?: string; api_key?: string; auth_style?: AuthStyle }> {
  const errors: FieldErrors<EndpointField> = {};
  const base_url = check(errors, 'base_url', 'Base URL', BaseUrlSchema, values.base_url);
  const api_key = values.api_key === '' ? undefined : check(errors, 'api_key', 'API key', ApiKeySchema, values.api_key);
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      ...(base_url !== undefined && base_url !== current.base_url ? { base_url } : {}),
      ...(api_key !== undefined ? { api_key } : {}),
      ...(values.auth_style !== current.auth_style ? { auth_style: values.auth_style } : {}),
    },
  };
}

export interface ConfigEditValues {
  name: string;
  description: string;
  /** Blank: the free probe; a model: the opt-in 1-token message probe. */
  probe_model: string;
}

export type ConfigEditField = 'name' | 'description' | 'probe_model';

/** Validates the config part of "Edit <name>"; the payload holds only what changed (null when nothing did). */
export function validateConfigEdit(
  current: { name: string; description: string; message_probe: { model: string } | null },
  values: ConfigEditValues,
  existingNames: readonly string[],
): Validation<ConfigEditField, CommandArgs<'config:update'> | null> {
  const errors: FieldErrors<ConfigEditField> = {};
  const name = values.name.trim();
  if (name === '') errors.name = 'Name is required';
  else if (check(errors, 'name', 'Name', ConfigNameSchema, name) !== undefined && name !== current.name && existingNames.includes(name)) {
    errors.name = `Name "${name}" is already used by another config`;
  }
  const description = check(errors, 'description', 'Description', DescriptionSchema, values.description.trim());
  const model = values.probe_model.trim();
  const probe = model === '' ? null : check(errors, 'probe_model', 'Probe model', MessageProbeSchema, { model });
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const update: CommandArgs<'config:update'> = { name: current.name };
  if (name !== current.name) update.new_name = name;
  if (description !== undefined && description !== current.description) update.description = description;
  if ((probe?.model ?? null) !== (current.message_probe?.model ?? null)) update.message_probe = probe ?? null;
  return { ok: true, value: Object.keys(update).length > 1 ? update : null };
}

/** A test result in one line: "✓ reachable (123 ms)" or "✗ <what went wrong>". */
export function describeTestResult(result: EndpointTestResult): string {
  if (result.outcome === 'success') return `✓ reachable${result.latency_ms !== null ? ` (${Math.round(result.latency_ms)} ms)` : ''}`;
  return `✗ ${result.detail}`;
}

/** Which field an engine error is about, when its message says so (`config:add: name: …`, `a config named …`). */
export function serverErrorField<F extends string>(code: string, message: string, fields: readonly F[]): F | null {
  if (code === 'already_exists' && (fields as readonly string[]).includes('name')) return 'name' as F;
  for (const field of fields) {
    if (new RegExp(`(^|[ .:])(endpoints\\[\\d+\\]\\.)?${field}:`).test(message)) return field;
  }
  return null;
}
