import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useSearchParams } from 'react-router';
import { AuthLayout, Loading } from '../../components';
import { useI18n, useT } from '../../i18n/i18n';
import { consentApi } from './consent-api';
import { ConsentForm } from './ConsentForm';
import { ConsentProblem } from './ConsentProblem';

/**
 * `/consent?consent_challenge=…`: an app asks for access to the signed-in person's account. The
 * page works from the challenge alone (no token): the auth service checks that the person
 * signed in in this browser is the one asked.
 */
export default function ConsentScreen() {
  const [params] = useSearchParams();
  const challenge = params.get('consent_challenge');
  if (!challenge) return <ConsentProblem error="missing" />;
  return <Consent challenge={challenge} />;
}

function Consent({ challenge }: { challenge: string }) {
  const t = useT();
  const { preferUiLocales } = useI18n();
  const view = useQuery({
    queryKey: ['consent', challenge],
    queryFn: () => consentApi.view(challenge),
    // One request, read once: a refetch would only find it answered.
    staleTime: Infinity,
    gcTime: 0,
  });
  const uiLocales = view.data?.ui_locales;
  useEffect(() => {
    preferUiLocales(uiLocales);
  }, [uiLocales, preferUiLocales]);

  if (view.isPending) {
    return (
      <AuthLayout wide>
        <Loading label={t('consent.loading')} />
      </AuthLayout>
    );
  }
  if (view.isError) return <ConsentProblem error={view.error} onRetry={() => void view.refetch()} />;
  return <ConsentForm view={view.data} />;
}
