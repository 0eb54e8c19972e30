import { useId, useRef, useState, type FormEvent } from 'react';
import { isEngineErrorData } from '../../src-shared/contract/errors.js';
import type { FailoverPolicy, PolicyKnob } from '../../src-shared/model/policy.js';
import { useEngineClient, useEngineView } from '../client/engine-context.js';
import {
  KNOBS,
  POLICY_GROUPS,
  changedKnobs,
  changedPatch,
  defaultHint,
  displayValue,
  knobSpec,
  resetToDefaultsEdits,
  serverPolicyErrors,
  validatePolicyEdits,
  type KnobSpec,
  type PolicyEdits,
  type PolicyErrors,
} from './policy-form.js';
import { FieldError, FormError } from './form-field.js';
import './panels.css';

interface KnobFieldProps {
  spec: KnobSpec;
  idBase: string;
  value: string | boolean;
  changed: boolean;
  error: string | undefined;
  onChange: (value: string | boolean) => void;
  onBlur: () => void;
}

function KnobField({ spec, idBase, value, changed, error, onChange, onBlur }: KnobFieldProps) {
  const id = `${idBase}-${spec.key}`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = error ? `${hintId} ${errorId}` : hintId;
  const hint = (
    <span id={hintId} className="knob-hint muted">
      {defaultHint(spec.key)}
      <span className="visually-hidden">. {spec.help}</span>
    </span>
  );
  const errorLine = error && <FieldError id={errorId}>{error}</FieldError>;
  if (spec.kind === 'flag') {
    return (
      <div className={`knob knob-flag${changed ? ' knob-changed' : ''}`} data-knob={spec.key}>
        <input
          id={id}
          name={spec.key}
          type="checkbox"
          checked={value === true}
          aria-describedby={describedBy}
          onChange={(e) => onChange(e.target.checked)}
          onBlur={onBlur}
        />
        <label htmlFor={id} title={spec.help}>
          {spec.label}
        </label>
        {hint}
        {errorLine}
      </div>
    );
  }
  return (
    <div className={`knob knob-number${changed ? ' knob-changed' : ''}`} data-knob={spec.key}>
      <label htmlFor={id} title={spec.help}>
        {spec.label}
      </label>
      <span className="knob-input">
        <input
          id={id}
          name={spec.key}
          type="number"
          inputMode="numeric"
          step={1}
          min={spec.min}
          max={spec.max}
          value={value as string}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          onChange={(e) => onChange(e.target.value)}
          onBlur={onBlur}
        />
        <span className="knob-unit muted">{spec.unit}</span>
      </span>
      {hint}
      {errorLine}
    </div>
  );
}

/**
 * Every failover-policy knob with its unit and the seed's default. Edits are
 * validated with the shared schema before anything is sent; "Save policy"
 * sends only the knobs that changed. Knobs the user has not touched follow
 * the live policy, so changes made elsewhere show up at once.
 */
export function PolicyEditor() {
  const { snapshot } = useEngineView();
  const client = useEngineClient();
  const titleId = useId();
  const idBase = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [edits, setEdits] = useState<PolicyEdits>({});
  /** The policy when the current round of edits began, to tell when it changes elsewhere meanwhile. */
  const [editBase, setEditBase] = useState<FailoverPolicy | null>(null);
  /** The engine's answer to our last save, shown until a newer snapshot arrives. */
  const [saved, setSaved] = useState<{ policy: FailoverPolicy; revision: number } | null>(null);
  const [revealed, setRevealed] = useState<ReadonlySet<PolicyKnob> | 'all'>(new Set());
  const [serverErrors, setServerErrors] = useState<{ fields: PolicyErrors; form: string | null }>({ fields: {}, form: null });
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);

  if (!snapshot) return null;
  const policy = saved && snapshot.revision <= saved.revision ? saved.policy : snapshot.policy;

  const pending = changedPatch(policy, edits);
  const pendingKeys = Object.keys(pending) as PolicyKnob[];
  const dirty = pendingKeys.length > 0;
  const validation = validatePolicyEdits(policy, edits);
  const localErrors: PolicyErrors = validation.ok ? {} : validation.errors;
  const changedElsewhere = dirty && editBase ? changedKnobs(editBase, policy) : [];

  const errorFor = (key: PolicyKnob): string | undefined =>
    (revealed === 'all' || revealed.has(key) ? localErrors[key] : undefined) ?? serverErrors.fields[key];

  const edit = (key: PolicyKnob, value: string | boolean) => {
    const next = { ...edits };
    const current = policy[key];
    // An edit back to the live value is no edit: the field follows the live policy again.
    if (value === current || (typeof value === 'string' && value.trim() !== '' && Number(value) === current)) delete next[key];
    else next[key] = value;
    setEdits(next);
    if (Object.keys(next).length === 0) setEditBase(null);
    else if (!editBase) setEditBase(policy);
    if (typeof value === 'boolean') reveal(key);
    setServerErrors({ fields: {}, form: null });
    setStatus('');
  };

  const reveal = (key: PolicyKnob) =>
    setRevealed((shown) => (shown === 'all' || shown.has(key) ? shown : new Set([...shown, key])));

  const discard = () => {
    setEdits({});
    setEditBase(null);
    setRevealed(new Set());
    setServerErrors({ fields: {}, form: null });
    setStatus('Changes discarded.');
  };

  const resetToDefaults = () => {
    const defaults = resetToDefaultsEdits(policy);
    setEdits(defaults);
    setEditBase(Object.keys(defaults).length > 0 ? policy : null);
    setServerErrors({ fields: {}, form: null });
    setStatus(
      Object.keys(defaults).length > 0
        ? 'Defaults filled in for the changed knobs. Save policy to apply them.'
        : 'The policy already uses the defaults.',
    );
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setRevealed('all');
    setStatus('');
    if (!validation.ok) {
      const first = KNOBS.find((spec) => validation.errors[spec.key]);
      if (first) formRef.current?.querySelector<HTMLInputElement>(`[name="${first.key}"]`)?.focus();
      return;
    }
    if (!dirty) {
      setStatus('No changes to save.');
      return;
    }
    setBusy(true);
    const revision = snapshot.revision;
    try {
      const result = await client.invoke('policy:update', validation.patch);
      setSaved({ policy: result, revision });
      setEdits({});
      setEditBase(null);
      setRevealed(new Set());
      setServerErrors({ fields: {}, form: null });
      setStatus(`Saved: ${pendingKeys.map((key) => knobSpec(key).label).join(', ')}.`);
    } catch (error) {
      const message = isEngineErrorData(error) || error instanceof Error ? error.message : String(error);
      const parsed = serverPolicyErrors(message);
      setServerErrors({ fields: parsed.fields, form: parsed.form ?? (Object.keys(parsed.fields).length > 0 ? null : message) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel policy-panel" aria-labelledby={titleId}>
      <div className="panel-head">
        <h2 id={titleId}>Failover policy</h2>
        {dirty && (
          <span className="muted policy-dirty">
            {pendingKeys.length} unsaved {pendingKeys.length === 1 ? 'change' : 'changes'}
          </span>
        )}
      </div>
      {changedElsewhere.length > 0 && (
        <div className="notice" role="status">
          The policy was changed elsewhere while you were editing ({changedElsewhere.map((key) => knobSpec(key).label).join(', ')}).
          Saving sends only the knobs you changed.{' '}
          <button type="button" className="link-button" onClick={discard}>
            Discard my edits
          </button>
        </div>
      )}
      <form ref={formRef} className="policy-form" noValidate onSubmit={(e) => void save(e)}>
        {POLICY_GROUPS.map((group) => (
          <fieldset key={group} className="policy-group">
            <legend>{group}</legend>
            {KNOBS.filter((spec) => spec.group === group).map((spec) => (
              <KnobField
                key={spec.key}
                spec={spec}
                idBase={idBase}
                value={displayValue(policy, edits, spec.key)}
                changed={spec.key in pending}
                error={errorFor(spec.key)}
                onChange={(value) => edit(spec.key, value)}
                onBlur={() => reveal(spec.key)}
              />
            ))}
          </fieldset>
        ))}
        {serverErrors.form && <FormError>{serverErrors.form}</FormError>}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy} aria-busy={busy || undefined}>
            Save policy
          </button>
          <button type="button" onClick={discard} disabled={!dirty || busy}>
            Discard
          </button>
          <button type="button" onClick={resetToDefaults} disabled={busy}>
            Reset to defaults
          </button>
        </div>
        <p className="form-status muted" role="status">
          {status}
        </p>
      </form>
    </section>
  );
}
