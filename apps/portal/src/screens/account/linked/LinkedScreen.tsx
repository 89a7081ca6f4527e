import { useId } from 'react';
import { useLocation } from 'react-router';
import { Alert, EmptyState, ErrorAlert, Loading, Notice, PageTitle, useNoticeState } from '../../../components';
import type { MessageKey } from '../../../i18n/catalogs';
import { useT } from '../../../i18n/i18n';
import { useLinks } from '../account-api';
import { LinkedAccountItem } from './LinkedAccountItem';
import { LinkProviderButton } from './LinkProviderButton';

/** What went wrong at the provider, from `?upstream_error=` (the auth service's codes). */
const UPSTREAM_ERRORS: Record<string, MessageKey> = {
  access_denied: 'account.linked.error.access_denied',
  conflict: 'account.linked.error.conflict',
  login_required: 'account.linked.error.login_required',
  invalid_response: 'account.linked.error.invalid_response',
  unavailable: 'account.linked.error.unavailable',
  temporarily_unavailable: 'account.linked.error.unavailable',
};

/** `/account/linked`: accounts at other providers (Google, a company IdP…) that sign the person in here. */
export default function LinkedScreen() {
  const t = useT();
  const { search } = useLocation();
  const links = useLinks();
  const linkedId = useId();
  const availableId = useId();
  const params = new URLSearchParams(search);
  const linkedIdp = params.get('linked');
  const upstreamError = params.get('upstream_error');
  const justLinked = linkedIdp ? links.data?.links.find((l) => l.idp.id === linkedIdp) : undefined;
  // Focus goes to the message: the unlinked account's item, where focus was, is gone.
  const { notice: unlinked, show: showUnlinked } = useNoticeState<string>();

  return (
    <>
      <PageTitle>{t('account.linked.title')}</PageTitle>
      <p className="section-lead muted">{t('account.linked.lead')}</p>
      {linkedIdp && <Notice>{justLinked ? t('account.linked.done.named', { provider: justLinked.idp.name }) : t('account.linked.done')}</Notice>}
      {unlinked && (
        <Notice key={unlinked.id} focus>
          {t('account.linked.unlinked', { provider: unlinked.value })}
        </Notice>
      )}
      {upstreamError && (
        <Alert title={t('account.linked.error.title')}>
          {t(Object.hasOwn(UPSTREAM_ERRORS, upstreamError) ? UPSTREAM_ERRORS[upstreamError] : 'account.linked.error.other')}
        </Alert>
      )}
      {links.isPending && <Loading />}
      <ErrorAlert error={links.error} />
      {links.data && (
        <>
          <section className="section" aria-labelledby={linkedId}>
            <h2 id={linkedId}>{t('account.linked.current')}</h2>
            {links.data.links.length ? (
              <ul className="list">
                {links.data.links.map((link) => (
                  <LinkedAccountItem key={link.id} link={link} onUnlinked={showUnlinked} />
                ))}
              </ul>
            ) : (
              <EmptyState title={t('account.linked.empty')} />
            )}
          </section>
          {links.data.available.length > 0 && (
            <section className="section" aria-labelledby={availableId}>
              <h2 id={availableId}>{t('account.linked.available')}</h2>
              <p className="muted">{t('account.linked.available.lead')}</p>
              <ul className="list">
                {links.data.available.map((idp) => (
                  <LinkProviderButton key={idp.id} idp={idp} />
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </>
  );
}
