import { useEffect, useState, type ReactNode } from 'react';
import { Loading } from '../components/Loading';
import { useT } from '../i18n/i18n';
import { heldToken, signIn, type TokenPurpose } from './session';

/**
 * Renders its children once this page holds a token for the purpose; otherwise sends the browser
 * to the authorization endpoint (silent when an OP session exists: the portal skips consent).
 */
export function RequireToken({ purpose, children }: { purpose: TokenPurpose; children: ReactNode }) {
  const t = useT();
  const [ready] = useState(() => heldToken(purpose) !== undefined);
  useEffect(() => {
    if (!ready) void signIn(purpose);
  }, [ready, purpose]);
  return ready ? children : <Loading label={t('auth.redirecting')} />;
}
