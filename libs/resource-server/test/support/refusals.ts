import { TokenError } from '../../src';

/**
 * The TokenError a verification ended in, after checking that nothing about it (message,
 * description, detail, serialised form) contains the token.
 */
export async function refusalOf(promise: Promise<unknown>, token: string): Promise<TokenError> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (err) {
    outcome = err;
  }
  if (!(outcome instanceof TokenError)) throw new Error(`expected a TokenError, got ${outcome instanceof Error ? outcome.stack : JSON.stringify(outcome)}`);
  const everything = [outcome.message, outcome.description, outcome.detail ?? '', JSON.stringify(outcome), String(outcome.stack)].join('\n');
  expect(everything).not.toContain(token);
  // The signature (or the random part of a reference token) alone must not leak either.
  const secretPart = token.includes('.') ? token.split('.')[2] : token.slice(7);
  if (secretPart.length >= 16) expect(everything).not.toContain(secretPart);
  return outcome;
}

/** The code, status and private reason of a refusal, for one `toEqual`. */
export const verdict = (error: TokenError) => ({ code: error.code, status: error.status, detail: error.detail });
