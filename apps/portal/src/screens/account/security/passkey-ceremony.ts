import { startRegistration } from '@simplewebauthn/browser';
import { accountApi } from '../../../api/bearer-api';
import type { Passkey } from '../account-api';
import type { CurrentPassword } from '../sensitive';

/** The browser's side of adding a passkey went wrong: said in words, not as an API error. */
export class PasskeyCeremonyError extends Error {
  constructor(readonly reason: 'cancelled' | 'exists' | 'failed') {
    super(reason);
    this.name = 'PasskeyCeremonyError';
  }
}

export const PASSKEY_NAME_MAX = 64;

/**
 * Adds a passkey: options from the server (a sensitive step: recent sign-in or the current
 * password), the browser's `navigator.credentials.create()`, then the server checks and stores it.
 */
export async function addPasskey(vars: { name: string } & CurrentPassword): Promise<Passkey> {
  const optionsJSON = await accountApi.send<Parameters<typeof startRegistration>[0]['optionsJSON']>(
    'POST',
    '/passkeys/options',
    vars.current_password === undefined ? {} : { current_password: vars.current_password },
  );
  let response: Awaited<ReturnType<typeof startRegistration>>;
  try {
    response = await startRegistration({ optionsJSON });
  } catch (err) {
    const name = (err as { name?: string })?.name;
    const code = (err as { code?: string })?.code;
    // NotAllowedError: the person closed the prompt, or it timed out; both are theirs to retry.
    if (name === 'NotAllowedError' || name === 'AbortError') throw new PasskeyCeremonyError('cancelled');
    if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED' || name === 'InvalidStateError') throw new PasskeyCeremonyError('exists');
    throw new PasskeyCeremonyError('failed');
  }
  const name = vars.name.trim();
  return accountApi.send<Passkey>('POST', '/passkeys', { ...(name ? { name } : {}), response });
}
