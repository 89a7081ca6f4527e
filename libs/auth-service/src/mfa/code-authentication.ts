import type { FastifyRequest } from 'fastify';
import { codeOf, type PendingSecondFactor, type PendingSecondFactors, type SecondFactorAuthentication } from './pending-second-factor';
import type { SecondFactorAttempts } from './second-factor-attempts';

/** The passport strategy names of the second factors, one per authenticator. */
export const MFA_STRATEGY = {
  totp: 'tessera-mfa-totp',
  recoveryCode: 'tessera-mfa-recovery-code',
  emailCode: 'tessera-mfa-email-code',
} as const;

/** Every one-time code proves the same thing to a client: RFC 8176 `otp` (the core adds `mfa`). */
const OTP_AMR = ['otp'];

/**
 * The common path of a code-based second factor: the pending login first, then a try is spent
 * (throttled per session and per user), then the check. A wrong code keeps its try; a check
 * that could not happen (no code was sent) gives it back.
 */
export async function authenticateWithCode(
  req: FastifyRequest,
  pending: PendingSecondFactors,
  attempts: SecondFactorAttempts,
  check: (login: PendingSecondFactor, code: string) => Promise<boolean>,
): Promise<SecondFactorAuthentication> {
  const login = await pending.of(req);
  const code = codeOf(req);
  const spent = await attempts.spend(login.session);
  let right: boolean;
  try {
    right = await check(login, code);
  } catch (err) {
    await attempts.refund(login.session);
    throw err;
  }
  if (!right) return attempts.failed(req, login.session, spent, login.challenge.client?.client_id);
  await attempts.succeeded(login.session);
  return { ...login, amr: OTP_AMR };
}
