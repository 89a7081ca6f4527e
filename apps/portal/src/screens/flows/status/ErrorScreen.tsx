import { useSearchParams } from 'react-router';
import type { MessageKey } from '../../../i18n/catalogs';
import { useT } from '../../../i18n/i18n';
import '../flows.css';
import { FlowPage } from '../FlowPage';

const KNOWN: Record<string, { title: MessageKey; body: MessageKey }> = {
  access_denied: { title: 'flowError.accessDenied.title', body: 'flowError.accessDenied.body' },
  login_required: { title: 'flowError.loginRequired.title', body: 'flowError.loginRequired.body' },
  invalid_request: { title: 'flowError.invalidRequest.title', body: 'flowError.invalidRequest.body' },
  server_error: { title: 'flowError.serverError.title', body: 'flowError.serverError.body' },
  temporarily_unavailable: { title: 'flowError.serverError.title', body: 'flowError.serverError.body' },
};

/** Longer than this, a "description" in the address is not a description (and is not shown). */
const MAX_DETAIL = 300;
const ERROR_CODE = /^[\w.-]{1,64}$/;

/**
 * `/error?error=…&error_description=…`: what happened and what to do. The address is anyone's to
 * write, so the page's own words lead; the code and description are only shown as technical details.
 */
export default function ErrorScreen() {
  const t = useT();
  const [params] = useSearchParams();
  const raw = params.get('error') ?? '';
  const code = ERROR_CODE.test(raw) ? raw : '';
  const description = (params.get('error_description') ?? '').slice(0, MAX_DETAIL);
  const known = Object.hasOwn(KNOWN, code) ? KNOWN[code] : undefined;
  return (
    <FlowPage title={t(known?.title ?? 'flowError.unknown.title')}>
      <p>{t(known?.body ?? 'flowError.unknown.body')}</p>
      {(code || description) && (
        <details className="flow-details">
          <summary>{t('flowError.details')}</summary>
          {code && (
            <p>
              {t('flowError.code')} <code>{code}</code>
            </p>
          )}
          {description && <p>{description}</p>}
        </details>
      )}
    </FlowPage>
  );
}
