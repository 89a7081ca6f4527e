import { useQuery } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { isApiError } from '../../../api/api-error';
import { AuthLayout, Button, ErrorAlert, Loading, PageTitle } from '../../../components';
import { useT } from '../../../i18n/i18n';
import { FlowPage } from '../FlowPage';
import { CheckYourMail } from './CheckYourMail';
import { SignupForm } from './SignupForm';
import { signupApi } from './signup-api';

/**
 * `/signup` (optionally `?login_challenge=…`, from an application's sign-in): create an account,
 * then confirm the address by mail. With a challenge, this tab signs the person in to the
 * application once the address is confirmed.
 */
export default function SignupScreen() {
  const t = useT();
  const [params] = useSearchParams();
  const challenge = params.get('login_challenge') ?? undefined;
  const options = useQuery({ queryKey: ['flows', 'signup'], queryFn: signupApi.options });
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [disabled, setDisabled] = useState(false);
  const [expired, setExpired] = useState(false);
  const onExpired = useCallback(() => setExpired(true), []);
  const signIn = challenge ? `/login?${new URLSearchParams({ login_challenge: challenge })}` : '/account';

  if (expired) {
    return (
      <FlowPage title={t('login.expired.title')}>
        <p>{t('login.expired.body')}</p>
      </FlowPage>
    );
  }
  if (disabled || options.data?.enabled === false) {
    return (
      <FlowPage title={t('signup.disabled.title')} next={<Link to={signIn} className="btn btn-secondary">{t('signup.signIn')}</Link>}>
        <p>{t('signup.disabled.body')}</p>
      </FlowPage>
    );
  }
  if (options.error) {
    return (
      <AuthLayout>
        <PageTitle>{t('signup.title')}</PageTitle>
        <ErrorAlert error={options.error} />
        <Button onClick={() => void options.refetch()}>{t('action.retry')}</Button>
      </AuthLayout>
    );
  }
  if (!options.data) {
    return (
      <AuthLayout>
        <Loading />
      </AuthLayout>
    );
  }
  if (sentTo !== null) return <CheckYourMail email={sentTo} challenge={challenge} onExpired={onExpired} />;
  return (
    <SignupForm
      options={options.data}
      challenge={challenge}
      signIn={signIn}
      onSent={setSentTo}
      onRefused={(error) => {
        if (isApiError(error, 'signup_disabled')) setDisabled(true);
        else if (isApiError(error, 'not_found')) setExpired(true);
        else return false;
        return true;
      }}
    />
  );
}
