import { isApiError } from '../../../api/api-error';
import { Alert, describeError } from '../../../components';
import type { Translate } from '../../../i18n/i18n';
import { useT } from '../../../i18n/i18n';

/**
 * The admin API's refusals in words: no longer an administrator (the role was taken away while
 * the console was open), a read-only token trying to write, and the common cases otherwise.
 */
export function describeAdminError(t: Translate, error: unknown): string {
  if (isApiError(error, 'insufficient_role')) return t('auth.adminDenied');
  if (isApiError(error, 'insufficient_scope')) return t('admin.error.insufficientScope');
  if (isApiError(error, 'temporarily_unavailable')) return t('admin.error.unavailable');
  return describeError(t, error);
}

export function AdminErrorAlert({ error, title }: { error: unknown; title?: string }) {
  const t = useT();
  if (!error) return null;
  return <Alert title={title}>{describeAdminError(t, error)}</Alert>;
}
