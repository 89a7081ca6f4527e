import type { ChallengeOutcome } from './challenge';

/**
 * An outcome as an answer carries it: a consent's granted scopes as a bit mask (hex) over the
 * requested scopes, so that an answer never holds the scope list twice.
 */
export type SealedOutcome = Exclude<ChallengeOutcome, { kind: 'consent' }> | { kind: 'consent'; s: string; remember: boolean };

export function sealOutcome(outcome: ChallengeOutcome, requested: readonly string[]): SealedOutcome {
  if (outcome.kind !== 'consent') return outcome;
  const granted = new Set(outcome.grantedScope);
  let mask = 0n;
  requested.forEach((scope, i) => {
    if (granted.has(scope)) mask |= 1n << BigInt(i);
  });
  return { kind: 'consent', s: mask.toString(16), remember: outcome.remember };
}

export function unsealOutcome(outcome: SealedOutcome, requested: readonly string[]): ChallengeOutcome {
  if (outcome.kind !== 'consent') return outcome;
  const mask = BigInt(`0x${outcome.s}`);
  return { kind: 'consent', grantedScope: requested.filter((_, i) => (mask >> BigInt(i)) & 1n), remember: outcome.remember };
}
