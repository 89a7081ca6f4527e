import { useRef, useState, type FormEvent } from 'react';
import { Alert, Button, Checkbox, TextField } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { fieldErrorsOf } from '../lib/field-errors';
import { SelectField } from '../ui/Fields';
import { FormErrors, useFocusFirstInvalid } from '../ui/FormErrors';
import { checkIdpForm, IDP_FIELDS, type IdpField, type IdpFormValues } from './idp-form-model';
import { IDP_AUTH_METHODS } from './idp-types';

export interface IdpFormProps {
  mode: 'create' | 'edit';
  initial: IdpFormValues;
  error: unknown;
  busy: boolean;
  submitLabel: string;
  onSubmit(values: IdpFormValues): void;
  onCancel?(): void;
}

/** An upstream provider's settings. The client secret is write-only: typed here, never shown back. */
export function IdpForm({ mode, initial, error, busy, submitLabel, onSubmit, onCancel }: IdpFormProps) {
  const t = useT();
  const form = useRef<HTMLFormElement>(null);
  const [values, setValues] = useState(initial);
  const [local, setLocal] = useState<Partial<Record<IdpField, string>>>({});
  const [attempt, setAttempt] = useState(0);
  const server = fieldErrorsOf(error, IDP_FIELDS) as Partial<Record<IdpField, string>>;
  const errors = { ...server, ...local };
  useFocusFirstInvalid(form, [attempt, error]);

  const set = <K extends keyof IdpFormValues>(key: K, value: IdpFormValues[K]) => setValues((v) => ({ ...v, [key]: value }));
  const text = (key: IdpField) => ({ value: values[key], error: errors[key], onChange: (e: { target: { value: string } }) => set(key, e.target.value) });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found = checkIdpForm(values, mode, t);
    setLocal(found);
    setAttempt((n) => n + 1);
    if (Object.keys(found).length === 0) onSubmit(values);
  };

  return (
    <form ref={form} onSubmit={submit} noValidate>
      {error && Object.keys(local).length === 0 ? <FormErrors error={error} fieldCount={Object.keys(server).length} /> : null}
      {mode === 'create' && (
        <TextField label={t('admin.idps.form.id')} hint={t('admin.idps.form.id.hint')} required autoComplete="off" spellCheck={false} {...text('id')} />
      )}
      <TextField label={t('admin.idps.form.name')} hint={t('admin.idps.form.name.hint')} required autoComplete="off" {...text('display_name')} />
      <TextField label={t('admin.idps.form.issuer')} hint={t('admin.idps.form.issuer.hint')} required type="url" autoComplete="off" spellCheck={false} {...text('issuer')} />
      <TextField label={t('admin.idps.form.clientId')} required autoComplete="off" spellCheck={false} {...text('client_id')} />
      <TextField
        label={t('admin.idps.form.clientSecret')}
        hint={mode === 'edit' ? t('admin.idps.form.clientSecret.keep') : t('admin.idps.form.clientSecret.hint')}
        required={mode === 'create'}
        type="password"
        autoComplete="off"
        {...text('client_secret')}
      />
      <SelectField
        label={t('admin.clients.form.authMethod')}
        options={IDP_AUTH_METHODS.map((m) => ({ value: m, label: t(`admin.clients.authMethod.${m}`) }))}
        {...text('token_endpoint_auth_method')}
      />
      <TextField label={t('admin.idps.form.scopes')} hint={t('admin.idps.form.scopes.hint')} autoComplete="off" spellCheck={false} {...text('scopes')} />
      <Checkbox
        label={t('admin.idps.form.trustEmail')}
        hint={t('admin.idps.form.trustEmail.hint')}
        checked={values.trust_email_verified}
        onChange={(e) => set('trust_email_verified', e.target.checked)}
      />
      {mode === 'create' && <Checkbox label={t('admin.idps.form.enabled')} checked={values.enabled} onChange={(e) => set('enabled', e.target.checked)} />}
      {mode === 'edit' && values.issuer.trim() !== initial.issuer && <Alert tone="warning">{t('admin.idps.form.issuer.changed')}</Alert>}
      <div className="actions">
        <Button type="submit" busy={busy}>
          {submitLabel}
        </Button>
        {onCancel && (
          <Button variant="secondary" onClick={onCancel} disabled={busy}>
            {t('action.cancel')}
          </Button>
        )}
      </div>
    </form>
  );
}
