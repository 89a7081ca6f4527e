import { useRef, useState, type FormEvent } from 'react';
import { Button, Checkbox, TextField } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { fieldErrorsOf } from '../lib/field-errors';
import { CheckboxGroup, SelectField, TextAreaField } from '../ui/Fields';
import { FormErrors, useFocusFirstInvalid } from '../ui/FormErrors';
import {
  AUTH_METHODS,
  checkClientForm,
  CLIENT_FIELD_ALIASES,
  CLIENT_FIELDS,
  GRANT_TYPES,
  MFA_POLICIES,
  TOKEN_FORMATS,
  type ClientField,
  type ClientFormValues,
} from './client-form-model';

export interface ClientFormProps {
  initial: ClientFormValues;
  /** The server's refusal of the last submit, if any. */
  error: unknown;
  busy: boolean;
  submitLabel: string;
  onSubmit(values: ClientFormValues): void;
  onCancel?(): void;
  /** A built-in client: only its name, access token lifetime and two-step verification are offered. */
  builtIn?: boolean;
}

/**
 * A client's registration (RFC 7591) and policy. Each field is named after the metadata it sets,
 * so a refusal naming a field shows next to it.
 */
export function ClientForm({ initial, error, busy, submitLabel, onSubmit, onCancel, builtIn = false }: ClientFormProps) {
  const t = useT();
  const form = useRef<HTMLFormElement>(null);
  const [values, setValues] = useState(initial);
  const [local, setLocal] = useState<Partial<Record<ClientField, string>>>({});
  const [attempt, setAttempt] = useState(0);
  const server = fieldErrorsOf(error, CLIENT_FIELDS, CLIENT_FIELD_ALIASES) as Partial<Record<ClientField, string>>;
  const errors = { ...server, ...local };
  useFocusFirstInvalid(form, [attempt, error]);

  const set = <K extends keyof ClientFormValues>(key: K, value: ClientFormValues[K]) => setValues((v) => ({ ...v, [key]: value }));
  const text = (key: keyof ClientFormValues & ClientField) => ({
    value: values[key] as string,
    error: errors[key],
    onChange: (e: { target: { value: string } }) => set(key, e.target.value),
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found = checkClientForm(values, t, { builtIn });
    setLocal(found);
    setAttempt((n) => n + 1);
    if (Object.keys(found).length === 0) onSubmit(values);
  };

  const isPublic = values.token_endpoint_auth_method === 'none';
  const actions = (
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
  );
  if (builtIn) {
    return (
      <form ref={form} onSubmit={submit} noValidate>
        {error && Object.keys(local).length === 0 ? <FormErrors error={error} fieldCount={Object.keys(server).length} /> : null}
        <p className="muted">{t('admin.clients.builtIn.editHint')}</p>
        <TextField label={t('admin.clients.form.name')} required autoComplete="off" {...text('client_name')} />
        <TextField label={t('admin.clients.form.accessTtl')} hint={t('admin.clients.form.ttl.hint')} inputMode="numeric" autoComplete="off" {...text('access_token_ttl')} />
        <SelectField label={t('admin.clients.form.mfa')} options={MFA_POLICIES.map((m) => ({ value: m, label: t(`admin.clients.mfa.${m}`) }))} {...text('mfa_policy')} />
        {actions}
      </form>
    );
  }
  return (
    <form ref={form} onSubmit={submit} noValidate>
      {error && Object.keys(local).length === 0 ? <FormErrors error={error} fieldCount={Object.keys(server).length} /> : null}
      <TextField label={t('admin.clients.form.name')} required autoComplete="off" {...text('client_name')} />
      <SelectField
        label={t('admin.clients.form.authMethod')}
        hint={t('admin.clients.form.authMethod.hint')}
        options={AUTH_METHODS.map((m) => ({ value: m, label: t(`admin.clients.authMethod.${m}`) }))}
        {...text('token_endpoint_auth_method')}
      />
      {values.token_endpoint_auth_method === 'private_key_jwt' && (
        <TextField label={t('admin.clients.form.jwksUri')} hint={t('admin.clients.form.jwksUri.hint')} type="url" autoComplete="off" {...text('jwks_uri')} />
      )}
      <CheckboxGroup
        legend={t('admin.clients.form.grantTypes')}
        options={GRANT_TYPES.map((g) => ({ value: g, label: t(`admin.clients.grant.${g}`) }))}
        value={values.grant_types}
        error={errors.grant_types}
        onChange={(next) => set('grant_types', next)}
      />
      <TextAreaField label={t('admin.clients.form.redirectUris')} hint={t('admin.clients.form.redirectUris.hint')} rows={3} spellCheck={false} {...text('redirect_uris')} />
      <TextAreaField
        label={t('admin.clients.form.postLogoutUris')}
        hint={t('admin.clients.form.postLogoutUris.hint')}
        rows={2}
        spellCheck={false}
        {...text('post_logout_redirect_uris')}
      />
      <TextField label={t('admin.clients.form.scopes')} hint={t('admin.clients.form.scopes.hint')} autoComplete="off" spellCheck={false} {...text('allowed_scopes')} />
      <TextField label={t('admin.clients.form.requiredScopes')} hint={t('admin.clients.form.requiredScopes.hint')} autoComplete="off" spellCheck={false} {...text('required_scopes')} />
      <SelectField
        label={t('admin.clients.form.tokenFormat')}
        hint={t('admin.clients.form.tokenFormat.hint')}
        options={TOKEN_FORMATS.map((f) => ({ value: f, label: t(`admin.clients.tokenFormat.${f}`) }))}
        {...text('access_token_format')}
      />
      <TextAreaField label={t('admin.clients.form.audience')} hint={t('admin.clients.form.audience.hint')} rows={2} spellCheck={false} {...text('default_audience')} />
      <TextField label={t('admin.clients.form.accessTtl')} hint={t('admin.clients.form.ttl.hint')} inputMode="numeric" autoComplete="off" {...text('access_token_ttl')} />
      <TextField label={t('admin.clients.form.refreshTtl')} hint={t('admin.clients.form.ttl.hint')} inputMode="numeric" autoComplete="off" {...text('refresh_token_ttl')} />
      <SelectField label={t('admin.clients.form.mfa')} options={MFA_POLICIES.map((m) => ({ value: m, label: t(`admin.clients.mfa.${m}`) }))} {...text('mfa_policy')} />
      <TextField
        label={t('admin.clients.form.backchannel')}
        hint={t('admin.clients.form.backchannel.hint')}
        type="url"
        autoComplete="off"
        spellCheck={false}
        {...text('backchannel_logout_uri')}
      />
      <Checkbox
        label={t('admin.clients.form.firstParty')}
        hint={t('admin.clients.form.firstParty.hint')}
        checked={values.first_party}
        onChange={(e) => set('first_party', e.target.checked)}
      />
      <Checkbox
        label={t('admin.clients.form.pkce')}
        hint={isPublic ? t('admin.clients.form.pkce.public') : undefined}
        checked={isPublic || values.require_pkce}
        disabled={isPublic}
        onChange={(e) => set('require_pkce', e.target.checked)}
      />
      {actions}
    </form>
  );
}
