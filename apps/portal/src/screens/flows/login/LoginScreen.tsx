import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { isApiError } from '../../../api/api-error';
import { AuthLayout, Button, ErrorAlert, Loading, PageTitle } from '../../../components';
import { useI18n } from '../../../i18n/i18n';
import { FlowPage } from '../FlowPage';
import { navigateTo } from '../../../navigation/navigate-to';
import { loginApi, type LoginStep } from './login-api';
import { LinkConfirmStep } from './LinkConfirmStep';
import { SecondFactorStep } from './SecondFactorStep';
import { SignInStep } from './SignInStep';
import { usePendingLink } from './use-pending-link';

/**
 * `/login?login_challenge=…`: the token service sends the browser here when a client asks for a
 * sign-in. One page, several steps: the first factor (or "continue as"), a second factor when
 * the answer asks for one, and the confirmation of an upstream account link. Every step ends
 * with a full navigation to the `redirect_to` the service answers.
 */
export default function LoginScreen() {
  const { t } = useI18n();
  const [params] = useSearchParams();
  const challenge = params.get('login_challenge');
  if (!challenge) {
    return (
      <FlowPage title={t('login.noChallenge.title')}>
        <p>{t('login.noChallenge.body')}</p>
      </FlowPage>
    );
  }
  return (
    <LoginFlow
      key={challenge}
      challenge={challenge}
      linkRequired={params.get('link') === 'required'}
      upstreamError={params.get('upstream_error')}
      // Back from an upstream provider whose account needs a second factor (the provider's sign-in was the first).
      atSecondFactor={params.get('next') === 'second_factor'}
    />
  );
}

type Stage = { kind: 'sign-in'; ended?: boolean } | { kind: 'second-factor'; factors?: string[] } | { kind: 'link'; redirectTo: string } | { kind: 'leaving' };

function LoginFlow({ challenge, linkRequired, upstreamError, atSecondFactor }: { challenge: string; linkRequired: boolean; upstreamError: string | null; atSecondFactor: boolean }) {
  const { t, preferUiLocales } = useI18n();
  const view = useQuery({ queryKey: ['flows', 'login', challenge], queryFn: () => loginApi.view(challenge) });
  const link = usePendingLink(linkRequired);
  // Back from an upstream provider, the factors come with the login view (second_factors).
  const [stage, setStage] = useState<Stage>(atSecondFactor ? { kind: 'second-factor' } : { kind: 'sign-in' });
  const [dead, setDead] = useState(false);

  useEffect(() => {
    if (view.data) preferUiLocales(view.data.ui_locales);
  }, [view.data, preferUiLocales]);

  const linkPending = link.pending !== undefined;
  const proceed = useCallback(
    (step: LoginStep) => {
      if ('next' in step) return setStage({ kind: 'second-factor', factors: step.factors });
      // Signed in to the local account the upstream one matched: now (and only now) it may be linked.
      if (linkPending) return setStage({ kind: 'link', redirectTo: step.redirect_to });
      setStage({ kind: 'leaving' });
      navigateTo(step.redirect_to);
    },
    [linkPending],
  );
  /** Errors every step shares: a challenge that died, or a login session that ended. True when handled here. */
  const flowFailed = useCallback((error: unknown): boolean => {
    if (isApiError(error, 'not_found')) {
      setDead(true);
      return true;
    }
    if (isApiError(error, 'login_required')) {
      setStage({ kind: 'sign-in', ended: true });
      return true;
    }
    return false;
  }, []);
  const leave = useCallback((redirectTo: string) => {
    setStage({ kind: 'leaving' });
    navigateTo(redirectTo);
  }, []);

  const deadOnLoad = isApiError(view.error, 'not_found') || isApiError(view.error, 'invalid_request');
  if (dead || deadOnLoad) {
    return (
      <FlowPage title={t('login.expired.title')}>
        <p>{t('login.expired.body')}</p>
      </FlowPage>
    );
  }
  if (view.error) {
    return (
      <AuthLayout>
        <PageTitle>{t('login.title')}</PageTitle>
        <ErrorAlert error={view.error} />
        <Button onClick={() => void view.refetch()} busy={view.isFetching}>
          {t('action.retry')}
        </Button>
      </AuthLayout>
    );
  }
  // The pending link too: its address prefills the form, and it decides whether "continue as" is offered.
  if (!view.data || link.loading || stage.kind === 'leaving') {
    return (
      <AuthLayout>
        <Loading label={stage.kind === 'leaving' ? t('login.leaving') : undefined} />
      </AuthLayout>
    );
  }
  const common = { challenge, view: view.data, onStep: proceed, onFlowError: flowFailed, onLeave: leave };
  switch (stage.kind) {
    case 'second-factor':
      return <SecondFactorStep key="second-factor" {...common} factors={stage.factors ?? view.data?.second_factors ?? []} />;
    case 'link':
      return <LinkConfirmStep pending={link.pending} redirectTo={stage.redirectTo} onDone={leave} />;
    default:
      return <SignInStep key={stage.ended ? 'ended' : 'first'} {...common} ended={stage.ended} upstreamError={upstreamError} link={link} />;
  }
}
