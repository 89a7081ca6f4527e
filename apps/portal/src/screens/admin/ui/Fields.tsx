import { useId, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';

interface FieldFrame {
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
}

/** The label, hint and error around a control, tied to it as TextField does for inputs. */
function useFieldIds(hint: ReactNode, error: string | undefined) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return { id, hintId, errorId, describedBy: [hintId, errorId].filter(Boolean).join(' ') || undefined };
}

function Frame({ id, label, hint, hintId, error, errorId, children }: FieldFrame & { id: string; hintId?: string; errorId?: string; children: ReactNode }) {
  return (
    <div className={['field', 'admin-field', error ? 'field-invalid' : ''].filter(Boolean).join(' ')}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

export function TextAreaField({ label, hint, error, ...rest }: FieldFrame & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id'>) {
  const ids = useFieldIds(hint, error);
  return (
    <Frame id={ids.id} label={label} hint={hint} hintId={ids.hintId} error={error} errorId={ids.errorId}>
      <textarea {...rest} id={ids.id} aria-invalid={error ? true : undefined} aria-describedby={ids.describedBy} />
    </Frame>
  );
}

export function SelectField({ label, hint, error, options, ...rest }: FieldFrame & Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id'> & { options: Array<{ value: string; label: string }> }) {
  const ids = useFieldIds(hint, error);
  return (
    <Frame id={ids.id} label={label} hint={hint} hintId={ids.hintId} error={error} errorId={ids.errorId}>
      <select {...rest} id={ids.id} aria-invalid={error ? true : undefined} aria-describedby={ids.describedBy}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Frame>
  );
}

/** A group of checkboxes with one legend and one error (grant types). */
export function CheckboxGroup({
  legend,
  hint,
  error,
  options,
  value,
  onChange,
}: {
  legend: ReactNode;
  hint?: ReactNode;
  error?: string;
  options: Array<{ value: string; label: string; hint?: string }>;
  value: readonly string[];
  onChange(next: string[]): void;
}) {
  const id = useId();
  return (
    <fieldset className={['admin-fieldset', error ? 'field-invalid' : ''].filter(Boolean).join(' ')} aria-describedby={[hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined}>
      <legend>{legend}</legend>
      {hint && (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {options.map((o) => (
        <div className="checkbox" key={o.value}>
          <input
            id={`${id}-${o.value}`}
            type="checkbox"
            checked={value.includes(o.value)}
            aria-invalid={error ? true : undefined}
            onChange={(e) => onChange(e.target.checked ? [...value, o.value] : value.filter((v) => v !== o.value))}
          />
          <label htmlFor={`${id}-${o.value}`}>{o.label}</label>
          {o.hint && <p className="field-hint">{o.hint}</p>}
        </div>
      ))}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </fieldset>
  );
}
