import { useEffect, useRef } from 'react';
import { loginApi, type LoginStep } from './login-api';
import { cancelPasskeyCeremony, getPasskeyAssertion, isCeremonyAborted, isCeremonyDeclined, passkeyAutofillSupported } from './passkeys';

interface Options {
  /** The email field (`autocomplete="username webauthn"`) is on the page. */
  enabled: boolean;
  challenge: string;
  remember: boolean;
  onStep(step: LoginStep): void;
  onError(error: unknown): void;
  /** Changing it starts a new request (after another method was tried and failed). */
  round: number;
}

/**
 * Passkey autofill (WebAuthn conditional mediation): the browser offers the person's passkeys
 * in the email field's suggestions, with no button to press. The request waits in the
 * background; it is aborted when the page leaves this step or another method starts.
 */
export function usePasskeyAutofill({ enabled, challenge, remember, onStep, onError, round }: Options): void {
  const latest = useRef({ remember, onStep, onError });
  useEffect(() => {
    latest.current = { remember, onStep, onError };
  });
  useEffect(() => {
    if (!enabled) return;
    let active = true;
    void (async () => {
      if (!(await passkeyAutofillSupported()) || !active) return;
      let response;
      try {
        const options = await loginApi.passkeyOptions(challenge);
        if (!active) return;
        response = await getPasskeyAssertion(options, true);
      } catch {
        // A background offer that could not start (or was aborted, or dismissed): the other methods are there.
        return;
      }
      if (!active) return;
      try {
        const step = await loginApi.passkey(challenge, response, latest.current.remember);
        if (active) latest.current.onStep(step);
      } catch (err) {
        if (active && !isCeremonyAborted(err) && !isCeremonyDeclined(err)) latest.current.onError(err);
      }
    })();
    return () => {
      active = false;
      cancelPasskeyCeremony();
    };
  }, [enabled, challenge, round]);
}
