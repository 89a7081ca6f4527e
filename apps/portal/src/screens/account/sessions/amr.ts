import type { MessageKey } from '../../../i18n/catalogs';
import type { Translate } from '../../../i18n/i18n';

/**
 * How a session was signed in (RFC 8176 `amr` values as the auth service sets them), in
 * words. `mfa` and `user` add nothing a person needs to read: `mfa` says two of the others were
 * used (they are listed), `user` goes with a passkey's user verification.
 */
const METHODS = new Map<string, MessageKey>([
  ['pwd', 'account.sessions.amr.pwd'],
  ['otp', 'account.sessions.amr.otp'],
  ['hwk', 'account.sessions.amr.hwk'],
  ['swk', 'account.sessions.amr.swk'],
  ['fed', 'account.sessions.amr.fed'],
  ['sms', 'account.sessions.amr.otp'],
]);
const SILENT = new Set(['mfa', 'user']);

export function amrInWords(t: Translate, amr: string[]): string[] {
  const words = amr.filter((m) => !SILENT.has(m)).map((m) => (METHODS.has(m) ? t(METHODS.get(m) as MessageKey) : m));
  return [...new Set(words)];
}
