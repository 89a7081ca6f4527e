import { useT } from '../../../i18n/i18n';
import { Time } from '../lib/dates';
import { Details, Values } from '../ui/Details';
import { ClientStatusBadge, ClientTypeBadges } from './ClientBadges';
import { AUTH_METHODS, GRANT_TYPES, MFA_POLICIES, TOKEN_FORMATS } from './client-form-model';
import type { ClientView } from './client-types';

const known = <T extends string>(list: readonly T[], value: string | undefined): value is T => value !== undefined && (list as readonly string[]).includes(value);

/** What a client is and may do, read-only. */
export function ClientDetails({ client }: { client: ClientView }) {
  const t = useT();
  const none = t('admin.none');
  const yesNo = (v: boolean | undefined) => (v ? t('admin.yes') : t('admin.no'));
  const seconds = (n: number | undefined) => (n === undefined ? none : t('admin.seconds', { n }));
  const method = client.token_endpoint_auth_method;
  const scopes = client.allowed_scopes ?? (client.scope ?? '').split(' ').filter(Boolean).map((scope) => ({ scope, required: false }));
  return (
    <Details
      rows={[
        [t('admin.clients.col.id'), <code key="id">{client.client_id}</code>],
        [t('admin.col.status'), <ClientStatusBadge key="status" client={client} />],
        [t('admin.clients.col.type'), <ClientTypeBadges key="type" client={client} />],
        [t('admin.clients.form.authMethod'), known(AUTH_METHODS, method) ? t(`admin.clients.authMethod.${method}`) : method],
        [
          t('admin.clients.form.grantTypes'),
          client.grant_types?.length ? client.grant_types.map((g) => (known(GRANT_TYPES, g) ? t(`admin.clients.grant.${g}`) : g)).join(', ') : none,
        ],
        [t('admin.clients.form.redirectUris'), <Values key="redirect" values={client.redirect_uris} none={none} />],
        [t('admin.clients.form.postLogoutUris'), <Values key="logout" values={client.post_logout_redirect_uris} none={none} />],
        [
          t('admin.clients.form.scopes'),
          scopes.length ? (
            <ul key="scopes" className="admin-plain-list">
              {scopes.map((s) => (
                <li key={s.scope}>
                  <code>{s.scope}</code> {s.required && <span className="muted">{t('admin.clients.scope.required')}</span>}
                </li>
              ))}
            </ul>
          ) : (
            none
          ),
        ],
        [
          t('admin.clients.form.tokenFormat'),
          known(TOKEN_FORMATS, client.access_token_format) ? t(`admin.clients.tokenFormat.${client.access_token_format}`) : (client.access_token_format ?? none),
        ],
        [t('admin.clients.form.audience'), <Values key="aud" values={client.default_audience} none={none} />],
        [t('admin.clients.form.accessTtl'), seconds(client.access_token_ttl)],
        [t('admin.clients.refreshTokens'), client.refresh_tokens ? seconds(client.refresh_token_ttl) : t('admin.no')],
        [t('admin.clients.form.pkce'), yesNo(client.require_pkce)],
        [t('admin.clients.form.mfa'), known(MFA_POLICIES, client.mfa_policy) ? t(`admin.clients.mfa.${client.mfa_policy}`) : (client.mfa_policy ?? none)],
        [t('admin.clients.form.backchannel'), client.backchannel_logout_uri ? <code key="bcl">{client.backchannel_logout_uri}</code> : none],
        client.jwks_uri !== undefined && [t('admin.clients.form.jwksUri'), <code key="jwks">{client.jwks_uri}</code>],
        [t('admin.col.created'), <Time key="created" value={client.client_id_issued_at} />],
        client.revoked_before !== undefined && [t('admin.clients.revokedBefore'), <Time key="revoked" value={client.revoked_before} />],
      ]}
    />
  );
}
