import { ApiError } from '../../../api/api-error';
import { describeError } from '../../../components';
import type { Translate } from '../../../i18n/i18n';
import { isCeremonyDeclined } from './passkeys';

/** What to tell the person when a login step failed, beyond what every screen says. */
export function describeLoginError(t: Translate, error: unknown): string {
  if (!(error instanceof ApiError)) return describeError(t, error);
  switch (error.code) {
    case 'second_factor_required':
      return t('login.secondFactorRequired');
    case 'forbidden':
      return error.body['reason'] === 'email_not_verified' ? t('login.emailNotVerified') : describeError(t, error);
    case 'invalid_credentials':
      return t('login.invalidCredentials');
    default:
      return describeError(t, error);
  }
}

/** What a passkey attempt's failure means to the person (the browser's dialog, or the service's answer). */
export function describePasskeyError(t: Translate, error: unknown): string {
  if (isCeremonyDeclined(error)) return t('login.passkey.declined');
  if (error instanceof ApiError) return error.code === 'invalid_credentials' ? t('login.passkey.notRecognised') : describeLoginError(t, error);
  return t('login.passkey.failed');
}

/** `upstream_error=<code>` on the way back from an identity provider. */
export function describeUpstreamError(t: Translate, code: string): string {
  switch (code) {
    case 'access_denied':
      return t('login.upstream.accessDenied');
    case 'unavailable':
    case 'temporarily_unavailable':
      return t('login.upstream.unavailable');
    case 'invalid_response':
    case 'invalid_request':
      return t('login.upstream.invalidResponse');
    case 'conflict':
      return t('login.upstream.conflict');
    case 'forbidden':
      return t('login.upstream.forbidden');
    case 'login_required':
      return t('login.upstream.loginRequired');
    case 'second_factor_required':
      return t('login.secondFactorRequired');
    default:
      return t('login.upstream.unknown', { code: code.slice(0, 64) });
  }
}
