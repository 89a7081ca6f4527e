import { ApiError } from '../api/api-error';
import type { Translate } from '../i18n/i18n';
import { useT } from '../i18n/i18n';
import { Alert } from './Alert';

/**
 * What to tell a person about a failed call: the common cases in their language, otherwise the
 * server's own description (which names what to fix), never a stack trace.
 */
export function describeError(t: Translate, error: unknown): string {
  if (!(error instanceof ApiError)) return t('error.server');
  switch (error.code) {
    case 'network_error':
      return t('error.network');
    case 'csrf_check_failed':
      return t('error.csrf');
    case 'too_many_attempts':
      return t('error.tooManyAttempts', { seconds: error.retryAfter ?? 30 });
    case 'forbidden':
      return error.description || t('error.forbidden');
    case 'server_error':
    case 'temporarily_unavailable':
      return t('error.server');
    default:
      return error.description || t('error.unknown', { code: error.code });
  }
}

/** A failed call as an alert, or nothing when there is no error. */
export function ErrorAlert({ error, title }: { error: unknown; title?: string }) {
  const t = useT();
  if (!error) return null;
  return <Alert title={title}>{describeError(t, error)}</Alert>;
}
