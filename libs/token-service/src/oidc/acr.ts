/**
 * Tessera's Authentication Context Class References (OpenID Connect Core §2 `acr`), defined once:
 * discovery lists them, the login challenge accepts only them, and every ID token carries one.
 */
export const ACR_PASSWORD = 'urn:tessera:acr:pwd';
export const ACR_MFA = 'urn:tessera:acr:mfa';
export const ACR_VALUES = [ACR_PASSWORD, ACR_MFA] as const;
export type AcrValue = (typeof ACR_VALUES)[number];

/** RFC 8176 methods that count as a second factor. */
const SECOND_FACTORS = new Set(['mfa', 'otp', 'hwk', 'swk', 'sms', 'face', 'fpt', 'iris', 'retina', 'vbm']);

export const isAcrValue = (value: unknown): value is AcrValue => typeof value === 'string' && (ACR_VALUES as readonly string[]).includes(value);

/** The acr of a login: as the authentication service stated it, else what its methods amount to. */
export function acrOf(stated: string | undefined, amr: readonly string[]): AcrValue {
  if (isAcrValue(stated)) return stated;
  return amr.some((m) => SECOND_FACTORS.has(m)) ? ACR_MFA : ACR_PASSWORD;
}

/** Whether a login of class `acr` satisfies a request for any of `requested` (MFA satisfies password). */
export function satisfiesAcr(acr: string | undefined, requested: readonly string[] | undefined): boolean {
  if (!requested?.length) return true;
  const known = requested.filter(isAcrValue);
  // Values Tessera does not define cannot be met; OIDC Core §3.1.2.1 treats acr_values as voluntary.
  if (!known.length) return true;
  return known.some((want) => want === acr || (want === ACR_PASSWORD && acr === ACR_MFA));
}

/**
 * An essential acr (§5.5.1.1) must be met by one of the listed values: values Tessera does not
 * define can never be met, so the authentication fails rather than pretending otherwise.
 */
export function satisfiesEssentialAcr(acr: string | undefined, essential: readonly string[]): boolean {
  return essential.some((want) => want === acr || (want === ACR_PASSWORD && acr === ACR_MFA));
}
