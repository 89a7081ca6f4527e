import type { Translate } from '../../i18n/i18n';

/** The service's rules (NIST SP 800-63B): length only here; common passwords are refused by the server. */
export const PASSWORD_RULES = { min: 8, max: 128 };

/** What is wrong with a new password before it is sent, or undefined. Counts characters, not UTF-16 units, as the server does. */
export function newPasswordProblem(t: Translate, password: string, rules: { min: number; max: number } = PASSWORD_RULES): string | undefined {
  const length = [...password.normalize('NFC')].length;
  if (!length) return t('field.required');
  if (length < rules.min) return t('flows.password.tooShort', { min: rules.min });
  if (length > rules.max) return t('flows.password.tooLong', { max: rules.max });
  return undefined;
}

/** A rough check before sending (the server has the last word): something@something. */
export const looksLikeEmail = (value: string) => /^[^\s@]+@[^\s@]+$/.test(value.trim());
