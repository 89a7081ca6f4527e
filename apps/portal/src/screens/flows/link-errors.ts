import type { ApiError } from '../../api/api-error';
import type { Translate } from '../../i18n/i18n';

/** Why a mailed link (`invalid_link` with `reason`) cannot be used, and what to do. */
export function describeInvalidLink(t: Translate, error: ApiError, purpose: 'verify' | 'reset'): string {
  switch (error.body['reason']) {
    case 'used':
      return purpose === 'verify' ? t('verifyEmail.invalid.used') : t('resetPassword.invalid.used');
    case 'expired':
      return purpose === 'verify' ? t('verifyEmail.invalid.expired') : t('resetPassword.invalid.expired');
    case 'stale':
      return t('verifyEmail.invalid.stale');
    default:
      return purpose === 'verify' ? t('verifyEmail.invalid.unknown') : t('resetPassword.invalid.unknown');
  }
}
