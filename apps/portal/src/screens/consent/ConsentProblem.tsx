import { isApiError } from '../../api/api-error';
import { Alert, AuthLayout, Button, ErrorAlert, PageTitle } from '../../components';
import type { MessageKey } from '../../i18n/catalogs';
import { useT } from '../../i18n/i18n';

/** The answers after which this consent request cannot go on here, each with what to do instead. */
const FINAL: Record<string, { title: MessageKey; body: MessageKey }> = {
  missing: { title: 'consent.missing.title', body: 'consent.missing.body' },
  login_required: { title: 'consent.loginRequired.title', body: 'consent.loginRequired.body' },
  forbidden: { title: 'consent.forbidden.title', body: 'consent.forbidden.body' },
  // An unknown, expired or already answered challenge (the auth service says not_found, or
  // invalid_request for something that is not a consent challenge at all).
  not_found: { title: 'consent.expired.title', body: 'consent.expired.body' },
  invalid_request: { title: 'consent.expired.title', body: 'consent.expired.body' },
};

/**
 * Whether an answer to Allow or Deny ends the request. Not `invalid_request` there: it then
 * names something to fix on this page (the server's description says what).
 */
export const isFinalConsentError = (error: unknown) => isApiError(error) && ['login_required', 'forbidden', 'not_found'].includes(error.code);

/** A page instead of the consent form: the request is gone, not ours, or could not be read. */
export function ConsentProblem({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useT();
  const code = error === 'missing' ? 'missing' : isApiError(error) && Object.hasOwn(FINAL, error.code) ? error.code : undefined;
  if (code) {
    const { title, body } = FINAL[code];
    return (
      <AuthLayout wide>
        <PageTitle>{t(title)}</PageTitle>
        <Alert tone="warning">{t(body)}</Alert>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout wide>
      <PageTitle>{t('consent.failed.title')}</PageTitle>
      <ErrorAlert error={error} />
      {onRetry && (
        <Button variant="secondary" onClick={onRetry}>
          {t('action.retry')}
        </Button>
      )}
    </AuthLayout>
  );
}
