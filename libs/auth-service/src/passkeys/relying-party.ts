import { Inject, Injectable } from '@nestjs/common';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import { FlowError } from '../http/flow-error';
import { CEREMONY_TTL_SECONDS, type IssuedChallenge } from './passkey-challenges';
import type { PasskeyDeviceType } from './passkey.entity';

export interface CredentialRef {
  credentialId: string;
  transports: string[];
}

/** What a verified registration gives to store. */
export interface NewCredential {
  credentialId: string;
  publicKey: string;
  signCount: number;
  transports: string[];
  deviceType: PasskeyDeviceType;
  backedUp: boolean;
  aaguid: string;
}

/** What a verified assertion says about the authenticator now. */
export interface VerifiedAssertion {
  newSignCount: number;
  deviceType: PasskeyDeviceType;
  backedUp: boolean;
  userVerified: boolean;
}

/**
 * Tessera as a WebAuthn Relying Party: its RP ID is the issuer's host name and the only origin
 * it accepts is the issuer's origin (the portal and the flow APIs share that origin). Wraps
 * @simplewebauthn/server so that the rest of the feature sees our records and FlowErrors.
 */
@Injectable()
export class RelyingParty {
  readonly id: string;
  readonly origin: string;

  constructor(@Inject(AUTH_SERVICE_CONFIG) config: AuthServiceConfig) {
    const issuer = new URL(config.issuer);
    this.id = issuer.hostname;
    this.origin = issuer.origin;
  }

  /**
   * Options for `navigator.credentials.create()`: a discoverable credential (a passkey can sign
   * in without a user name) with user verification, so that every stored passkey can be a way in
   * on its own; the user's existing credentials are excluded (no second registration of one).
   */
  registrationOptions(input: {
    challenge: IssuedChallenge;
    userHandle: string;
    userName: string;
    displayName: string;
    exclude: CredentialRef[];
  }): Promise<PublicKeyCredentialCreationOptionsJSON> {
    return generateRegistrationOptions({
      rpName: this.id,
      rpID: this.id,
      userID: new Uint8Array(Buffer.from(input.userHandle, 'base64url')),
      userName: input.userName,
      userDisplayName: input.displayName,
      challenge: input.challenge.bytes,
      timeout: CEREMONY_TTL_SECONDS * 1000,
      attestationType: 'none',
      excludeCredentials: input.exclude.map((c) => ({ id: c.credentialId, transports: c.transports })),
      authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
    });
  }

  async verifyRegistration(response: RegistrationResponseJSON, challenge: string): Promise<NewCredential> {
    let result: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      result = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.origin,
        expectedRPID: this.id,
        requireUserPresence: true,
        requireUserVerification: true,
      });
    } catch (err) {
      throw new FlowError('invalid_request', 'The passkey could not be verified; try again with this site.', {}, `registration refused: ${(err as Error).message}`);
    }
    if (!result.verified) throw new FlowError('invalid_request', 'The passkey could not be verified; try again with this site.', {}, 'registration not verified');
    const info = result.registrationInfo;
    return {
      credentialId: info.credential.id,
      publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
      signCount: info.credential.counter,
      transports: info.credential.transports ?? [],
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      aaguid: info.aaguid,
    };
  }

  /**
   * Options for `navigator.credentials.get()`: no `allowCredentials` for a passwordless login
   * (the authenticator offers its discoverable credentials), the user's own for a second factor.
   */
  authenticationOptions(input: { challenge: IssuedChallenge; allow?: CredentialRef[]; userVerification: 'required' | 'preferred' }): Promise<PublicKeyCredentialRequestOptionsJSON> {
    return generateAuthenticationOptions({
      rpID: this.id,
      challenge: input.challenge.bytes,
      timeout: CEREMONY_TTL_SECONDS * 1000,
      userVerification: input.userVerification,
      allowCredentials: input.allow?.map((c) => ({ id: c.credentialId, transports: c.transports })),
    });
  }

  /**
   * Checks an assertion against the stored credential: type, challenge, origin, RP ID hash,
   * user presence (and verification when required), the signature, and that the signature
   * counter went up when either value is non-zero (a counter that does not is a cloned
   * authenticator's mark, WebAuthn §6.1.1).
   */
  async verifyAssertion(
    response: AuthenticationResponseJSON,
    challenge: string,
    credential: { credentialId: string; publicKey: string; signCount: number; transports: string[] },
    requireUserVerification: boolean,
  ): Promise<VerifiedAssertion> {
    let result: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
    try {
      result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.origin,
        expectedRPID: this.id,
        credential: {
          id: credential.credentialId,
          publicKey: new Uint8Array(Buffer.from(credential.publicKey, 'base64url')),
          counter: credential.signCount,
          transports: credential.transports,
        },
        requireUserVerification,
      });
    } catch (err) {
      throw assertionRefused(`assertion refused: ${(err as Error).message}`);
    }
    if (!result.verified) throw assertionRefused('assertion signature invalid');
    const info = result.authenticationInfo;
    return { newSignCount: info.newCounter, deviceType: info.credentialDeviceType, backedUp: info.credentialBackedUp, userVerified: info.userVerified };
  }
}

/** One answer for every failed assertion; the reason goes to the log only. */
export function assertionRefused(detail: string): FlowError {
  return new FlowError('invalid_credentials', 'The passkey could not be verified.', {}, detail);
}
