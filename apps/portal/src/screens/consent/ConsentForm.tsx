import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { AuthLayout, Button, Checkbox, ErrorAlert, PageTitle } from '../../components';
import { useT } from '../../i18n/i18n';
import { AppIdentity } from './AppIdentity';
import { consentApi, type ConsentView } from './consent-api';
import { ConsentProblem, isFinalConsentError } from './ConsentProblem';
import { ClientLinks } from './ClientLinks';
import { navigateTo } from '../../navigation/navigate-to';
import { scopeText } from './scope-text';

type Decision = 'accept' | 'reject';

/**
 * What the app asks for, scope by scope: required ones stay ticked (the app cannot work
 * without them), optional ones can be unticked. Allow grants exactly what is ticked.
 */
export function ConsentForm({ view }: { view: ConsentView }) {
  const t = useT();
  const appName = view.client?.client_name?.trim() || view.client?.client_id || t('consent.unknownApp');
  const scopes = [...new Set(view.requested_scope)];
  const required = new Set(view.required_scope);
  const details = new Map((view.scope_details ?? []).map((d) => [d.name, d]));
  const [unticked, setUnticked] = useState<ReadonlySet<string>>(new Set());
  const [remember, setRemember] = useState(true);

  const answer = useMutation({
    mutationFn: (decision: Decision) =>
      decision === 'accept'
        ? consentApi.accept({
            consent_challenge: view.consent_challenge,
            grant_scope: scopes.filter((s) => required.has(s) || !unticked.has(s)),
            remember,
          })
        : consentApi.reject(view.consent_challenge),
    onSuccess: ({ redirect_to }) => navigateTo(redirect_to),
  });

  if (isFinalConsentError(answer.error)) return <ConsentProblem error={answer.error} />;

  const toggle = (scope: string, ticked: boolean) =>
    setUnticked((current) => {
      const next = new Set(current);
      if (ticked) next.delete(scope);
      else next.add(scope);
      return next;
    });
  const allow = (event: FormEvent) => {
    event.preventDefault();
    answer.mutate('accept');
  };
  // Busy until the page has gone: a second click would only find the request answered.
  const leaving = answer.isPending || answer.isSuccess;
  const claims = [...new Set([...(view.requested_claims?.id_token ?? []), ...(view.requested_claims?.userinfo ?? [])])];
  const resources = view.requested_resource ?? [];

  return (
    <AuthLayout wide>
      <AppIdentity name={appName} logoUri={view.client?.logo_uri} large />
      <PageTitle>{t('consent.title', { app: appName })}</PageTitle>
      <ClientLinks client={view.client} appName={appName} />
      <ErrorAlert error={answer.error} />
      <form onSubmit={allow} noValidate>
        <fieldset className="consent-scopes">
          <legend>{t('consent.scopes.legend', { app: appName })}</legend>
          {scopes.map((scope) => {
            const isRequired = required.has(scope);
            const description = details.get(scope)?.description;
            const text = scopeText(t, scope, description);
            return (
              <Checkbox
                key={scope}
                name="grant_scope"
                value={scope}
                checked={isRequired || !unticked.has(scope)}
                disabled={isRequired || leaving}
                onChange={(e) => toggle(scope, e.target.checked)}
                label={
                  <>
                    {text}
                    {text !== scope && <span className="consent-scope-name mono">{scope}</span>}
                  </>
                }
                hint={isRequired ? t('consent.requiredBy', { app: appName }) : undefined}
              />
            );
          })}
        </fieldset>
        {claims.length > 0 && <p>{t('consent.claims', { claims: claims.join(', ') })}</p>}
        {resources.length > 0 && (
          <>
            <p>{t('consent.resources', { app: appName })}</p>
            <ul className="consent-resources">
              {resources.map((r) => (
                <li key={r} className="mono">
                  {r}
                </li>
              ))}
            </ul>
          </>
        )}
        <Checkbox
          checked={remember}
          disabled={leaving}
          onChange={(e) => setRemember(e.target.checked)}
          label={t('consent.remember')}
          hint={t('consent.remember.hint', { app: appName })}
        />
        <p className="muted">{t('consent.later')}</p>
        {/* The button pressed is busy, not disabled: a disabled button would drop focus to the body. */}
        <div className="consent-actions">
          <Button type="submit" busy={leaving && answer.variables === 'accept'} disabled={leaving && answer.variables !== 'accept'}>
            {t('consent.allow')}
          </Button>
          <Button
            variant="secondary"
            onClick={() => answer.mutate('reject')}
            busy={leaving && answer.variables === 'reject'}
            disabled={leaving && answer.variables !== 'reject'}
          >
            {t('consent.deny')}
          </Button>
        </div>
      </form>
    </AuthLayout>
  );
}
