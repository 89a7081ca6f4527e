import type { Translate } from '../../../i18n/i18n';
import { words } from '../lib/text';
import type { IdpView } from './idp-types';

export const IDP_FIELDS = ['id', 'display_name', 'issuer', 'client_id', 'client_secret', 'token_endpoint_auth_method', 'scopes'] as const;
export type IdpField = (typeof IDP_FIELDS)[number];

export interface IdpFormValues {
  id: string;
  display_name: string;
  issuer: string;
  client_id: string;
  /** Write-only: empty on an edit keeps the stored one. */
  client_secret: string;
  token_endpoint_auth_method: string;
  scopes: string;
  trust_email_verified: boolean;
  enabled: boolean;
}

export const EMPTY_IDP_FORM: IdpFormValues = {
  id: '',
  display_name: '',
  issuer: '',
  client_id: '',
  client_secret: '',
  token_endpoint_auth_method: 'client_secret_basic',
  scopes: 'openid profile email',
  trust_email_verified: false,
  enabled: true,
};

export const formFromIdp = (idp: IdpView): IdpFormValues => ({
  id: idp.id,
  display_name: idp.display_name,
  issuer: idp.issuer,
  client_id: idp.client_id,
  client_secret: '',
  token_endpoint_auth_method: idp.token_endpoint_auth_method,
  scopes: idp.scopes.join(' '),
  trust_email_verified: idp.trust_email_verified,
  enabled: idp.enabled,
});

/** The same slug rule as the server: the id is part of the redirect URI registered upstream. */
const IDP_ID = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export function checkIdpForm(v: IdpFormValues, mode: 'create' | 'edit', t: Translate): Partial<Record<IdpField, string>> {
  const errors: Partial<Record<IdpField, string>> = {};
  if (mode === 'create' && !IDP_ID.test(v.id)) errors.id = v.id ? t('admin.idps.form.id.invalid') : t('field.required');
  for (const field of ['display_name', 'issuer', 'client_id'] as const) if (!v[field].trim()) errors[field] = t('field.required');
  if (mode === 'create' && !v.client_secret) errors.client_secret = t('field.required');
  if (!words(v.scopes).includes('openid')) errors.scopes = t('admin.idps.form.scopes.openid');
  return errors;
}

/** A create sends everything; an edit (PATCH) only what changed, and the secret only when a new one was typed. */
export function idpBody(v: IdpFormValues, mode: 'create' | 'edit', current?: IdpView): Record<string, unknown> {
  const all: Record<string, unknown> = {
    display_name: v.display_name.trim(),
    issuer: v.issuer.trim(),
    client_id: v.client_id.trim(),
    token_endpoint_auth_method: v.token_endpoint_auth_method,
    scopes: words(v.scopes),
    trust_email_verified: v.trust_email_verified,
    enabled: v.enabled,
  };
  if (mode === 'create') return { id: v.id.trim(), ...all, client_secret: v.client_secret };
  const before = current ? (formFromIdp(current) as unknown as Record<string, unknown>) : {};
  const changed = Object.fromEntries(
    Object.entries(all).filter(([key, value]) => {
      const was = key === 'scopes' ? words(String(before[key] ?? '')) : before[key];
      return JSON.stringify(value) !== JSON.stringify(was);
    }),
  );
  return v.client_secret ? { ...changed, client_secret: v.client_secret } : changed;
}
