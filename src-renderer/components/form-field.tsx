import { useId, type InputHTMLAttributes, type ReactNode } from 'react';

/** What a labelled control must carry so its label, hint and error reach assistive technology. */
export interface FieldControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
}

interface FieldProps {
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  children: (props: FieldControlProps) => ReactNode;
}

/** A labelled control with its hint and its error (role="alert") right under it. */
export function Field({ label, error, hint, children }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-describedby': describedBy, ...(error ? { 'aria-invalid': true as const } : {}) })}
      {hint && (
        <span id={hintId} className="field-hint muted">
          {hint}
        </span>
      )}
      {error && <FieldError id={errorId}>{error}</FieldError>}
    </div>
  );
}

interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange' | 'children'> {
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  value: string;
  onValueChange: (value: string) => void;
}

/** A labelled `<input>` (text, url, password…): the other input attributes pass through. */
export function TextField({ label, error, hint, value, onValueChange, ...input }: TextFieldProps) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(props) => <input {...props} {...input} value={value} onChange={(e) => onValueChange(e.target.value)} />}
    </Field>
  );
}

/**
 * A labelled API-key input: masked, never autofilled with a saved password, not
 * spell-checked (a spell checker may send what is typed to a server).
 */
export function SecretField(props: Omit<TextFieldProps, 'type' | 'autoComplete' | 'spellCheck'>) {
  return <TextField {...props} type="password" autoComplete="new-password" spellCheck={false} />;
}

interface SelectFieldProps<T extends string> {
  label: string;
  value: T;
  options: readonly T[];
  optionLabels: Readonly<Record<T, string>>;
  onValueChange: (value: T) => void;
}

/** A labelled `<select>` of a fixed set of values, each shown by its label. */
export function SelectField<T extends string>({ label, value, options, optionLabels, onValueChange }: SelectFieldProps<T>) {
  return (
    <Field label={label}>
      {(props) => (
        <select
          {...props}
          value={value}
          onChange={(e) => {
            const picked = options.find((option) => option === e.target.value);
            if (picked !== undefined) onValueChange(picked);
          }}
        >
          {options.map((option) => (
            <option key={option} value={option}>
              {optionLabels[option]}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** A field's error, announced (role="alert"); `id` lets the control point at it with aria-describedby. */
export function FieldError({ id, children }: { id?: string; children: ReactNode }) {
  return (
    <p id={id} className="field-error" role="alert">
      {children}
    </p>
  );
}

/** An error about the whole form (the server's answer, not one field), announced. */
export function FormError({ children }: { children: ReactNode }) {
  return (
    <p className="form-error" role="alert">
      {children}
    </p>
  );
}
