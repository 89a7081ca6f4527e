import type { MessageKey } from '../../i18n/catalogs';
import type { Translate } from '../../i18n/i18n';

/**
 * The scopes every deployment has, worded by the catalogue so that they read well in each
 * language. Other scopes are the deployment's own: their description comes from the server
 * (in the language the administrator wrote it), or failing that their name.
 */
const STANDARD_SCOPES = new Map<string, MessageKey>([
  ['openid', 'consent.scope.openid'],
  ['profile', 'consent.scope.profile'],
  ['email', 'consent.scope.email'],
  ['address', 'consent.scope.address'],
  ['phone', 'consent.scope.phone'],
  ['offline_access', 'consent.scope.offline_access'],
  ['account', 'consent.scope.account'],
]);

export function scopeText(t: Translate, scope: string, serverDescription?: string): string {
  const key = STANDARD_SCOPES.get(scope);
  if (key) return t(key);
  return serverDescription?.trim() || scope;
}

/** Whether the catalogue or the server explains this scope (otherwise only its name can be shown). */
export const isExplained = (scope: string, serverDescription?: string) => STANDARD_SCOPES.has(scope) || Boolean(serverDescription?.trim());
