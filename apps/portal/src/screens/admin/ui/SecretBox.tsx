import { useState } from 'react';
import { Alert, Button } from '../../../components';
import { useT } from '../../../i18n/i18n';

/**
 * A client secret, shown this once: the admin API never shows it again. It lives in this
 * component's state only (never the query cache, the URL or history state), and goes when
 * dismissed or when the page is left.
 */
export function SecretBox({ secret, onDismiss }: { secret: string; onDismiss(): void }) {
  const t = useT();
  const [copied, setCopied] = useState<boolean | null>(null);
  const canCopy = typeof navigator !== 'undefined' && typeof navigator.clipboard?.writeText === 'function';
  return (
    <div className="admin-secret">
      <Alert tone="warning" title={t('admin.secret.title')}>
        <p>{t('admin.secret.warning')}</p>
      </Alert>
      <p className="secret" aria-label={t('admin.secret.label')}>
        <code>{secret}</code>
      </p>
      <p className="field-hint">{t('admin.secret.copyHint')}</p>
      <div className="actions">
        {canCopy && (
          <Button
            variant="secondary"
            onClick={() =>
              void navigator.clipboard.writeText(secret).then(
                () => setCopied(true),
                () => setCopied(false),
              )
            }
          >
            {t('admin.secret.copy')}
          </Button>
        )}
        <Button variant="secondary" onClick={onDismiss}>
          {t('admin.secret.dismiss')}
        </Button>
      </div>
      {copied !== null && (
        <p role="status" className="muted">
          {copied ? t('admin.secret.copied') : t('admin.secret.copyFailed')}
        </p>
      )}
    </div>
  );
}
