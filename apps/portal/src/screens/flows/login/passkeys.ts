import {
  browserSupportsWebAuthn,
  browserSupportsWebAuthnAutofill,
  startAuthentication,
  WebAuthnAbortService,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';

/**
 * The browser side of passkeys. One ceremony at a time: starting one aborts the one before
 * (the autofill request waiting in the background included), and leaving the page aborts
 * whatever is waiting.
 */
export const passkeysSupported = (): boolean => browserSupportsWebAuthn();

export const passkeyAutofillSupported = async (): Promise<boolean> => {
  try {
    return browserSupportsWebAuthn() && (await browserSupportsWebAuthnAutofill());
  } catch {
    return false;
  }
};

export function getPasskeyAssertion(optionsJSON: PublicKeyCredentialRequestOptionsJSON, autofill = false): Promise<AuthenticationResponseJSON> {
  return startAuthentication({ optionsJSON, useBrowserAutofill: autofill });
}

export function cancelPasskeyCeremony(): void {
  WebAuthnAbortService.cancelCeremony();
}

/** The ceremony was aborted by the page itself (another one started, or the page left): nothing to say. */
export const isCeremonyAborted = (err: unknown): boolean =>
  err instanceof Error && (err.name === 'AbortError' || (err as { code?: string }).code === 'ERROR_CEREMONY_ABORTED');

/** The person closed the browser's dialog, or it timed out (WebAuthn reports both as NotAllowedError). */
export const isCeremonyDeclined = (err: unknown): boolean => err instanceof Error && (err.name === 'NotAllowedError' || (err as { cause?: { name?: string } }).cause?.name === 'NotAllowedError');
