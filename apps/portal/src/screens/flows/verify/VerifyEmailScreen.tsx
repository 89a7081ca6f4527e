import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import { isApiError } from '../../../api/api-error';
import { flowApi } from '../../../api/flow-api';
import { AuthLayout, Button, ErrorAlert, Loading, PageTitle } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { FlowPage } from '../FlowPage';
import { describeInvalidLink } from '../link-errors';
import { useUrlToken } from '../use-url-token';

interface Verified {
  email: string;
  email_verified: true;
  email_changed: boolean;
}

const verifyEmail = (token: string) => flowApi.post<Verified>('/auth/verify-email', { token });

/** `/verify-email?token=…`: the link of a confirmation mail (after sign-up, or an address change). */
export default function VerifyEmailScreen() {
  const t = useT();
  const token = useUrlToken();
  const verify = useMutation({ mutationFn: verifyEmail });
  const { mutate } = verify;
  // The token is single-use: sent once, even when React runs the effect twice (strict mode).
  const sent = useRef(false);
  useEffect(() => {
    if (!token || sent.current) return;
    sent.current = true;
    mutate(token);
  }, [token, mutate]);

  if (!token || isApiError(verify.error, 'invalid_link')) {
    return (
      <FlowPage title={t('verifyEmail.invalid.title')} next={<Link to="/account" className="btn btn-secondary">{t('verifyEmail.signIn')}</Link>}>
        <p>{isApiError(verify.error, 'invalid_link') ? describeInvalidLink(t, verify.error, 'verify') : t('verifyEmail.invalid.missing')}</p>
      </FlowPage>
    );
  }
  if (verify.isSuccess) {
    return (
      <FlowPage title={t('verifyEmail.done.title')}>
        <p>{verify.data.email_changed ? t('verifyEmail.done.changed', { email: verify.data.email }) : t('verifyEmail.done.body', { email: verify.data.email })}</p>
        <p>{t('verifyEmail.done.next')}</p>
      </FlowPage>
    );
  }
  if (verify.isError) {
    return (
      <AuthLayout>
        <PageTitle>{t('verifyEmail.title')}</PageTitle>
        <ErrorAlert error={verify.error} />
        <Button onClick={() => mutate(token)}>{t('action.retry')}</Button>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout>
      <Loading label={t('verifyEmail.checking')} />
    </AuthLayout>
  );
}
