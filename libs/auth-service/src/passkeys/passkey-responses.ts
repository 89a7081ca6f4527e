import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import { FlowError } from '../http/flow-error';

/** base64url (WebAuthn's JSON encoding of bytes), with padding tolerated as some clients send it. */
const base64url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+={0,2}$/);

/** Credential ids are at most 1023 bytes (WebAuthn §5.8.3): 1364 characters of base64url. */
const credentialId = base64url(1400);

const TRANSPORTS = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'] as const;

const common = {
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
};

/** `PublicKeyCredential.toJSON()` of a `navigator.credentials.create()` (RegistrationResponseJSON). */
const registrationResponse = z.object({
  ...common,
  response: z.object({
    clientDataJSON: base64url(4096),
    attestationObject: base64url(65_536),
    transports: z.array(z.string().max(32)).max(16).optional(),
  }),
});

/** `PublicKeyCredential.toJSON()` of a `navigator.credentials.get()` (AuthenticationResponseJSON). */
const authenticationResponse = z.object({
  ...common,
  response: z.object({
    clientDataJSON: base64url(4096),
    authenticatorData: base64url(16_384),
    signature: base64url(2048),
    userHandle: base64url(128).optional(),
  }),
});

export function parseRegistrationResponse(value: unknown): RegistrationResponseJSON {
  const parsed = registrationResponse.safeParse(value);
  if (!parsed.success) throw new FlowError('invalid_request', 'response must be the JSON of the new passkey (PublicKeyCredential.toJSON() after navigator.credentials.create()).');
  return parsed.data as RegistrationResponseJSON;
}

export function parseAuthenticationResponse(value: unknown): AuthenticationResponseJSON {
  const parsed = authenticationResponse.safeParse(value);
  if (!parsed.success) throw new FlowError('invalid_request', 'response must be the JSON of the passkey assertion (PublicKeyCredential.toJSON() after navigator.credentials.get()).');
  return parsed.data as AuthenticationResponseJSON;
}

/** The transports worth keeping (hints for the browser next time); unknown values are dropped. */
export function knownTransports(values: string[] | undefined): string[] {
  return [...new Set((values ?? []).filter((t): t is (typeof TRANSPORTS)[number] => (TRANSPORTS as readonly string[]).includes(t)))];
}

/**
 * The challenge the browser says it answered (in `clientDataJSON`): the key to find the pending
 * ceremony by. Whether it is really ours is decided by that lookup and by the library's checks.
 */
export function challengeOf(response: { response: { clientDataJSON: string } }): string {
  let clientData: unknown;
  try {
    clientData = JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8'));
  } catch {
    throw new FlowError('invalid_request', 'response.clientDataJSON is not valid JSON.');
  }
  const challenge = (clientData as { challenge?: unknown } | null)?.challenge;
  if (typeof challenge !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(challenge)) {
    throw new FlowError('invalid_request', 'response.clientDataJSON has no valid challenge.');
  }
  return challenge;
}
