import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { ConfigView, EndpointView } from '../../src-shared/contract/snapshot.js';
import { AUTH_STYLES, type AuthStyle } from '../../src-shared/model/config.js';
import { TIERS, type Tier } from '../../src-shared/model/tier.js';
import { useEngineClient, useEngineView } from '../client/engine-context.js';
import {
  ADD_CONFIG_EVENT,
  AUTH_STYLE_LABELS,
  EDIT_CONFIG_EVENT,
  TIER_LABELS,
  describeTestResult,
  serverErrorField,
  validateAddConfig,
  validateConfigEdit,
  validateEndpointEdit,
  validateNewEndpoint,
  type AddConfigField,
  type ConfigEditField,
  type EndpointField,
  type FieldErrors,
} from './config-form.js';
import { FieldError, FormError, SecretField, SelectField, TextField } from './form-field.js';
import './panels.css';

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return String(error);
}

function errorCode(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : 'internal';
}

// ---------------------------------------------------------------------------
// Dialog: a native modal <dialog> (focus stays inside, the page behind is
// inert), named by its heading; Escape closes; focus returns to the opener.

interface DialogProps {
  title: string;
  onClose: () => void;
  /** Where focus goes on close when the opener is gone (e.g. a card menu item). */
  fallbackFocus?: () => HTMLElement | null;
  children: ReactNode;
  className?: string;
}

function Dialog({ title, onClose, fallbackFocus, children, className }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const fallbackRef = useRef(fallbackFocus);
  fallbackRef.current = fallbackFocus;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const active = document.activeElement;
    const opener = active instanceof HTMLElement && active !== document.body && !dialog.contains(active) ? active : null;
    if (!dialog.open) {
      try {
        dialog.showModal();
      } catch {
        dialog.setAttribute('open', '');
      }
    }
    const first = dialog.querySelector<HTMLElement>('[data-autofocus]') ?? dialog.querySelector<HTMLElement>('input, select, textarea, button');
    first?.focus();
    return () => {
      if (dialog.open) dialog.close();
      if (opener?.isConnected) {
        opener.focus();
        return;
      }
      // The opener went away with the dialog's action (a menu, the empty state): focus its successor once rendered.
      setTimeout(() => {
        if (document.activeElement && document.activeElement !== document.body) return;
        fallbackRef.current?.()?.focus();
      }, 0);
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className={`qcc-dialog${className ? ` ${className}` : ''}`}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          event.stopPropagation();
          onClose();
        }
      }}
    >
      <div className="dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </div>
      <div className="dialog-body">{children}</div>
    </dialog>
  );
}

// ---------------------------------------------------------------------------
// Small form pieces

/** A config's name: the dialog's first control, and an identifier, so no autofill or spell check. */
function NameField(props: { error: string | undefined; hint?: string; value: string; onValueChange: (value: string) => void }) {
  return <TextField label="Name" {...props} data-autofocus type="text" autoComplete="off" spellCheck={false} />;
}

/** Focuses the first control marked invalid inside `root`. */
function focusFirstInvalid(root: HTMLElement | null) {
  setTimeout(() => root?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
}

// ---------------------------------------------------------------------------
// Add config

function AddConfigDialog({ existingNames, onClose }: { existingNames: string[]; onClose: () => void }) {
  const client = useEngineClient();
  const formRef = useRef<HTMLFormElement>(null);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [tier, setTier] = useState<Tier>('primary');
  const [baseUrl, setBaseUrl] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [authStyle, setAuthStyle] = useState<AuthStyle>('x-api-key');
  const [submitted, setSubmitted] = useState(false);
  const [serverError, setServerError] = useState<{ field: AddConfigField | null; message: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const values = { name, description, tier, base_url: baseUrl, api_key: apiKey, auth_style: authStyle };
  const validation = validateAddConfig(values, existingNames);
  const errors: FieldErrors<AddConfigField> = submitted && !validation.ok ? { ...validation.errors } : {};
  if (serverError?.field) errors[serverError.field] ??= serverError.message;
  /** A field's change handler: store the value, drop the server's verdict on the old one. */
  const edit = (set: (value: string) => void) => (value: string) => {
    set(value);
    setServerError(null);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    setServerError(null);
    if (!validation.ok) {
      focusFirstInvalid(formRef.current);
      return;
    }
    setBusy(true);
    try {
      await client.invoke('config:add', validation.value);
      setApiKey('');
      onClose();
    } catch (error) {
      const message = errorMessage(error);
      setServerError({ field: serverErrorField(errorCode(error), message, ['name', 'description', 'base_url', 'api_key'] as const), message });
      focusFirstInvalid(formRef.current);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title="Add config"
      onClose={onClose}
      fallbackFocus={() => document.querySelector<HTMLElement>('.config-toolbar button')}
    >
      <form ref={formRef} className="dialog-form" noValidate onSubmit={(e) => void submit(e)}>
        <NameField
          error={errors.name}
          hint="Letters, digits, “.”, “_” or “-”, e.g. production or backup"
          value={name}
          onValueChange={edit(setName)}
        />
        <div className="field-row">
          <TextField label="Description" error={errors.description} type="text" value={description} onValueChange={edit(setDescription)} />
          <SelectField label="Tier" value={tier} options={TIERS} optionLabels={TIER_LABELS} onValueChange={setTier} />
        </div>
        <fieldset className="dialog-fieldset">
          <legend>First endpoint</legend>
          <TextField
            label="Base URL"
            error={errors.base_url}
            type="url"
            inputMode="url"
            autoComplete="off"
            spellCheck={false}
            placeholder="https://api.anthropic.com"
            value={baseUrl}
            onValueChange={edit(setBaseUrl)}
          />
          <SecretField
            label="API key"
            error={errors.api_key}
            hint="Stored by QCC; shown afterwards only as a hint like sk-…a1b2."
            value={apiKey}
            onValueChange={edit(setApiKey)}
          />
          <SelectField label="Auth style" value={authStyle} options={AUTH_STYLES} optionLabels={AUTH_STYLE_LABELS} onValueChange={setAuthStyle} />
        </fieldset>
        {serverError && !serverError.field && <FormError>{serverError.message}</FormError>}
        <div className="form-actions dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy} aria-busy={busy || undefined}>
            Save
          </button>
        </div>
      </form>
    </Dialog>
  );
}

// ---------------------------------------------------------------------------
// Edit config: rename / describe, and its endpoints

/** The endpoint's state in a word or two, and the badge colour class. */
function endpointState(endpoint: EndpointView): { label: string; tone: 'ok' | 'degraded' | 'down' | 'idle' } {
  const { health } = endpoint;
  if (!endpoint.enabled) return { label: 'disabled', tone: 'idle' };
  if (health.credential_rejected) return { label: 'key rejected', tone: 'down' };
  if (health.state === 'open') return { label: 'ejected', tone: 'down' };
  if (health.state === 'half_open') return { label: 'probing', tone: 'degraded' };
  if (health.consecutive_failures > 0) {
    return { label: `${health.consecutive_failures} ${health.consecutive_failures === 1 ? 'failure' : 'failures'}`, tone: 'degraded' };
  }
  if (health.last_success === null && health.last_failure === null) return { label: 'not checked', tone: 'idle' };
  return { label: 'healthy', tone: 'ok' };
}

function ConfigDetailsForm({
  config,
  existingNames,
  onRenamed,
}: {
  config: ConfigView;
  existingNames: string[];
  onRenamed: (view: ConfigView) => void;
}) {
  const client = useEngineClient();
  const formRef = useRef<HTMLFormElement>(null);
  const [name, setName] = useState(config.name);
  const [description, setDescription] = useState(config.description);
  const [probeModel, setProbeModel] = useState(config.message_probe?.model ?? '');
  const [submitted, setSubmitted] = useState(false);
  const [serverError, setServerError] = useState<{ field: ConfigEditField | null; message: string } | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);

  const validation = validateConfigEdit(config, { name, description, probe_model: probeModel }, existingNames);
  const errors: FieldErrors<ConfigEditField> = submitted && !validation.ok ? { ...validation.errors } : {};
  if (serverError?.field) errors[serverError.field] ??= serverError.message;
  /** A field's change handler: store the value, drop the last save's verdict. */
  const edit = (set: (value: string) => void) => (value: string) => {
    set(value);
    setServerError(null);
    setStatus('');
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    setServerError(null);
    if (!validation.ok) {
      focusFirstInvalid(formRef.current);
      return;
    }
    if (!validation.value) {
      setStatus('Nothing changed.');
      return;
    }
    setBusy(true);
    try {
      const updated = await client.invoke('config:update', validation.value);
      setSubmitted(false);
      setStatus('Saved.');
      if (updated.name !== config.name) onRenamed(updated);
    } catch (error) {
      const message = errorMessage(error);
      setServerError({ field: serverErrorField(errorCode(error), message, ['name', 'description'] as const), message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form ref={formRef} className="dialog-form" noValidate onSubmit={(e) => void submit(e)}>
      <NameField error={errors.name} value={name} onValueChange={edit(setName)} />
      <TextField label="Description" error={errors.description} type="text" value={description} onValueChange={edit(setDescription)} />
      <TextField
        label="Probe model"
        error={errors.probe_model}
        hint="Optional. Blank: free health checks. A model name (e.g. claude-haiku-4-5) checks with a 1-token request, which costs tokens."
        type="text"
        autoComplete="off"
        spellCheck={false}
        value={probeModel}
        onValueChange={edit(setProbeModel)}
      />
      {serverError && !serverError.field && <FormError>{serverError.message}</FormError>}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy} aria-busy={busy || undefined}>
          Save config
        </button>
        <span className="muted" role="status">
          {status}
        </span>
      </div>
    </form>
  );
}

type TestState = { state: 'running' } | { state: 'done'; ok: boolean; text: string };

function EndpointRow({ config, endpoint }: { config: string; endpoint: EndpointView }) {
  const client = useEngineClient();
  const { id } = endpoint;
  const state = endpointState(endpoint);
  const [test, setTest] = useState<TestState | null>(null);
  const [editing, setEditing] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (caught) {
      setError(errorMessage(caught));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const runTest = async () => {
    setTest({ state: 'running' });
    try {
      const result = await client.invoke('endpoint:test', { config, endpoint_id: id });
      setTest({ state: 'done', ok: result.outcome === 'success', text: describeTestResult(result) });
    } catch (caught) {
      setTest({ state: 'done', ok: false, text: `✗ ${errorMessage(caught)}` });
    }
  };

  return (
    <li className={`endpoint-item${endpoint.enabled ? '' : ' endpoint-disabled'}`} data-endpoint-id={id}>
      <div className="endpoint-summary">
        <code className="endpoint-id">{id}</code>
        <span className="endpoint-url" title={endpoint.base_url}>
          {endpoint.base_url}
        </span>
        <span className={`endpoint-state tone-${state.tone}`}>{state.label}</span>
      </div>
      <div className="endpoint-meta muted">
        <span>
          Key <code className="key-hint">{endpoint.key_hint}</code>
        </span>
        <span>{AUTH_STYLE_LABELS[endpoint.auth_style]}</span>
      </div>
      <div className="endpoint-actions">
        <label className="checkbox-inline">
          <input
            type="checkbox"
            aria-label={`Enabled ${id}`}
            checked={endpoint.enabled}
            disabled={busy}
            onChange={(e) => {
              const enabled = e.target.checked;
              void run(() => client.invoke('endpoint:update', { config, endpoint_id: id, enabled }));
            }}
          />
          Enabled
        </label>
        <button type="button" aria-label={`Test ${id}`} disabled={test?.state === 'running'} onClick={() => void runTest()}>
          Test
        </button>
        <button type="button" aria-label={`Edit ${id}`} aria-expanded={editing} onClick={() => setEditing(!editing)}>
          Edit
        </button>
        {confirmRemove ? (
          <span className="confirm-inline">
            <button
              type="button"
              className="danger"
              aria-label={`Confirm remove ${id}`}
              disabled={busy}
              onClick={() => void run(() => client.invoke('endpoint:remove', { config, endpoint_id: id })).then(() => setConfirmRemove(false))}
            >
              Remove it
            </button>
            <button type="button" aria-label={`Keep ${id}`} onClick={() => setConfirmRemove(false)}>
              Keep
            </button>
          </span>
        ) : (
          <button type="button" aria-label={`Remove ${id}`} onClick={() => setConfirmRemove(true)}>
            Remove
          </button>
        )}
      </div>
      <p
        className={`test-result${test?.state === 'done' ? (test.ok ? ' test-ok' : ' test-failed') : ''}`}
        data-testid={`test-result-${id}`}
        role="status"
      >
        {test === null ? '' : test.state === 'running' ? 'Testing…' : test.text}
      </p>
      {error && <FieldError>{error}</FieldError>}
      {editing && <EndpointEditForm config={config} endpoint={endpoint} onDone={() => setEditing(false)} />}
    </li>
  );
}

function EndpointEditForm({ config, endpoint, onDone }: { config: string; endpoint: EndpointView; onDone: () => void }) {
  const client = useEngineClient();
  const formRef = useRef<HTMLFormElement>(null);
  const { id } = endpoint;
  const [baseUrl, setBaseUrl] = useState(endpoint.base_url);
  const [apiKey, setApiKey] = useState('');
  const [authStyle, setAuthStyle] = useState<AuthStyle>(endpoint.auth_style);
  const [submitted, setSubmitted] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const validation = validateEndpointEdit(endpoint, { base_url: baseUrl, api_key: apiKey, auth_style: authStyle });
  const errors: FieldErrors<EndpointField> = submitted && !validation.ok ? validation.errors : {};

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    setServerError(null);
    if (!validation.ok) {
      focusFirstInvalid(formRef.current);
      return;
    }
    if (Object.keys(validation.value).length === 0) {
      onDone();
      return;
    }
    setBusy(true);
    try {
      await client.invoke('endpoint:update', { config, endpoint_id: id, ...validation.value });
      setApiKey('');
      onDone();
    } catch (error) {
      setServerError(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form ref={formRef} className="endpoint-edit" noValidate onSubmit={(e) => void submit(e)}>
      <TextField label={`Base URL of ${id}`} error={errors.base_url} type="url" spellCheck={false} value={baseUrl} onValueChange={setBaseUrl} />
      <SecretField
        label={`New API key for ${id}`}
        error={errors.api_key}
        hint={`Leave blank to keep the current key (${endpoint.key_hint}).`}
        value={apiKey}
        onValueChange={setApiKey}
      />
      <SelectField label={`Auth style of ${id}`} value={authStyle} options={AUTH_STYLES} optionLabels={AUTH_STYLE_LABELS} onValueChange={setAuthStyle} />
      {serverError && <FormError>{serverError}</FormError>}
      <div className="form-actions">
        <button type="submit" className="primary" aria-label={`Save ${id}`} disabled={busy}>
          Save endpoint
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function AddEndpointForm({ config }: { config: string }) {
  const client = useEngineClient();
  const formRef = useRef<HTMLFormElement>(null);
  const [baseUrl, setBaseUrl] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [authStyle, setAuthStyle] = useState<AuthStyle>('x-api-key');
  const [submitted, setSubmitted] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);

  const validation = validateNewEndpoint(config, { base_url: baseUrl, api_key: apiKey, auth_style: authStyle });
  const errors: FieldErrors<EndpointField> = submitted && !validation.ok ? validation.errors : {};

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    setServerError(null);
    setStatus('');
    if (!validation.ok) {
      focusFirstInvalid(formRef.current);
      return;
    }
    setBusy(true);
    try {
      const added = await client.invoke('endpoint:add', validation.value);
      setBaseUrl('');
      setApiKey('');
      setSubmitted(false);
      setStatus(`Added ${added.id}.`);
    } catch (error) {
      setServerError(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form ref={formRef} className="dialog-form add-endpoint" noValidate onSubmit={(e) => void submit(e)}>
      <fieldset className="dialog-fieldset">
        <legend>Add an endpoint</legend>
        <TextField
          label="Base URL"
          error={errors.base_url}
          type="url"
          spellCheck={false}
          placeholder="https://api.anthropic.com"
          value={baseUrl}
          onValueChange={setBaseUrl}
        />
        <SecretField label="API key" error={errors.api_key} value={apiKey} onValueChange={setApiKey} />
        <SelectField label="Auth style" value={authStyle} options={AUTH_STYLES} optionLabels={AUTH_STYLE_LABELS} onValueChange={setAuthStyle} />
        {serverError && <FormError>{serverError}</FormError>}
        <div className="form-actions">
          <button type="submit" disabled={busy}>
            Add endpoint
          </button>
          <span className="muted" role="status">
            {status}
          </span>
        </div>
      </fieldset>
    </form>
  );
}

function EditConfigDialog({
  name,
  renamed,
  configs,
  onRenamed,
  onClose,
}: {
  name: string;
  /** The engine's view right after a rename, until the snapshot catches up. */
  renamed: ConfigView | undefined;
  configs: ConfigView[];
  onRenamed: (view: ConfigView) => void;
  onClose: () => void;
}) {
  const config = configs.find((entry) => entry.name === name) ?? (renamed?.name === name ? renamed : undefined);
  const others = configs.filter((entry) => entry.name !== name).map((entry) => entry.name);
  return (
    <Dialog
      title={`Edit ${name}`}
      className="edit-dialog"
      onClose={onClose}
      fallbackFocus={() => document.querySelector<HTMLElement>(`[aria-label="Actions for ${name}"]`)}
    >
      {!config ? (
        <p role="alert">The config “{name}” no longer exists.</p>
      ) : (
        <>
          <ConfigDetailsForm key={config.name} config={config} existingNames={others} onRenamed={onRenamed} />
          <h3 className="dialog-subhead">Endpoints</h3>
          {config.endpoints.length === 0 ? (
            <p className="muted">No endpoints: this config cannot serve until you add one.</p>
          ) : (
            <ul className="endpoint-list" aria-label={`Endpoints of ${config.name}`}>
              {config.endpoints.map((endpoint) => (
                <EndpointRow key={endpoint.id} config={config.name} endpoint={endpoint} />
              ))}
            </ul>
          )}
          <AddEndpointForm key={`add-${config.name}`} config={config.name} />
        </>
      )}
      <div className="form-actions dialog-actions">
        <button type="button" onClick={onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}

// ---------------------------------------------------------------------------

type OpenDialog = { kind: 'add' } | { kind: 'edit'; name: string; renamed?: ConfigView } | null;

/**
 * The config dialogs, mounted once for the whole app, and the toolbar's
 * "Add config" button (hidden while the empty state shows its own). Opens on
 * the window events `qcc:add-config` and `qcc:edit-config` ({detail: {name}}).
 */
export function ConfigEditor() {
  const { snapshot } = useEngineView();
  const [open, setOpen] = useState<OpenDialog>(null);

  useEffect(() => {
    const onAdd = () => setOpen({ kind: 'add' });
    const onEdit = (event: Event) => {
      const name = (event as CustomEvent<{ name?: unknown } | null>).detail?.name;
      if (typeof name === 'string' && name !== '') setOpen({ kind: 'edit', name });
    };
    window.addEventListener(ADD_CONFIG_EVENT, onAdd);
    window.addEventListener(EDIT_CONFIG_EVENT, onEdit);
    return () => {
      window.removeEventListener(ADD_CONFIG_EVENT, onAdd);
      window.removeEventListener(EDIT_CONFIG_EVENT, onEdit);
    };
  }, []);

  const configs = snapshot?.tiers.flatMap((group) => group.configs) ?? [];
  const close = () => setOpen(null);

  return (
    <>
      {snapshot !== null && configs.length > 0 && (
        <div className="config-toolbar">
          <button type="button" className="primary" onClick={() => setOpen({ kind: 'add' })}>
            Add config
          </button>
        </div>
      )}
      {open?.kind === 'add' && <AddConfigDialog existingNames={configs.map((config) => config.name)} onClose={close} />}
      {open?.kind === 'edit' && (
        <EditConfigDialog
          name={open.name}
          renamed={open.renamed}
          configs={configs}
          onRenamed={(view) => setOpen({ kind: 'edit', name: view.name, renamed: view })}
          onClose={close}
        />
      )}
    </>
  );
}
