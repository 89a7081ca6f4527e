import { hash, timingSafeEqual } from 'node:crypto';
import { secureRandomBytes } from './secure-random';
import { orderPrefixOf, orderedRandomId } from './time-ordered';

/**
 * What each opaque value is, readable at a glance (in a leaked-secret scanner, in a support
 * ticket) without a database lookup, as fosite's `ory_at_` does. These strings are persisted in
 * issued values: never change one.
 */
export const TOKEN_PREFIXES = {
  access_token: 'tsr_at_',
  refresh_token: 'tsr_rt_',
  authorization_code: 'tsr_ac_',
  registration_access_token: 'tsr_rat_',
  initial_access_token: 'tsr_iat_',
  client_secret: 'tsr_cs_',
} as const;

export type ReferenceTokenKind = keyof typeof TOKEN_PREFIXES;

export interface ReferenceToken {
  /** Handed to the client once; never stored, never logged. */
  readonly value: string;
  /** What the store keeps and looks the token up by. */
  readonly storageKey: string;
}

const KINDS = Object.keys(TOKEN_PREFIXES) as ReferenceTokenKind[];

/**
 * Kinds issued with a time part, so that their storage keys sort in creation order (see
 * `storageKey`): the values written on every sign-in, which live an hour at most. Releases before
 * the time part look such a value up by its bare hash and do not find it, so an upgrade that runs
 * both side by side, or a rollback, costs at most those; long-lived credentials (refresh tokens,
 * client secrets, registration and initial access tokens) keep the plain form and survive both.
 */
const ORDERED_KINDS: ReadonlySet<ReferenceTokenKind> = new Set(['access_token', 'authorization_code']);

/**
 * A new opaque token: the kind's prefix and 256 random bits in base64url, for the kinds in
 * `ORDERED_KINDS` led by 16 hex digits of creation time (`orderedRandomId`). The random part alone
 * makes the token unguessable.
 */
export function generateReferenceToken(kind: ReferenceTokenKind): ReferenceToken {
  const prefix = TOKEN_PREFIXES[kind];
  if (prefix === undefined) throw new TypeError(`Unknown reference token kind ${String(kind)}`);
  const body = ORDERED_KINDS.has(kind) ? orderedRandomId(32) : secureRandomBytes(32).toString('base64url');
  const value = prefix + body;
  return { value, storageKey: storageKey(value) };
}

/**
 * The key a value (a reference token, or any other generated secret looked up by its hash) is
 * stored and looked up under: base64url SHA-256 of the whole value, prefix included, led by the
 * value's time part when it has one (a value made by `orderedRandomId`, bare or behind a token
 * prefix), so that new rows land together at the end of the key's index instead of on a page of
 * their own each. Values without a time part, such as tokens issued before it existed, keep the
 * bare hash, so they stay valid.
 *
 * A plain fast hash is enough here, and a slow KDF would be wrong: the value carries 256 random
 * bits, so there is nothing to brute-force that a KDF would slow down, while a KDF on every token
 * request would hand attackers a cheap way to burn our CPU. Being deterministic, the key also lets
 * the store find the row by an indexed equality lookup.
 */
export function storageKey(value: string): string {
  const kind = kindOf(value);
  const order = orderPrefixOf(kind === undefined ? value : value.slice(TOKEN_PREFIXES[kind].length));
  // One-shot hashing: no Hash object per call on the token endpoint's hot path.
  const digest = hash('sha256', value, 'base64url');
  return order === undefined ? digest : order + digest;
}

/** The kind announced by the value's prefix, or undefined. Says nothing about whether the token exists. */
export function kindOf(value: string): ReferenceTokenKind | undefined {
  if (typeof value !== 'string') return undefined;
  return KINDS.find((kind) => value.startsWith(TOKEN_PREFIXES[kind]));
}

/**
 * Constant-time string equality. Strings of different byte lengths are unequal at once, without
 * looking at their contents; only the length can leak, and everything compared here (hashes,
 * generated values) has a fixed, public length.
 */
export function safeEqual(a: string, b: string): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}

/**
 * Shortest secret `hashSecret` accepts. A fast hash is only sound for high-entropy secrets, such
 * as the 43-character random part of a generated `tsr_cs_` value; a person-chosen password would
 * need argon2id instead.
 */
export const MIN_SECRET_LENGTH = 32;

/**
 * The stored form of a generated client secret: its `storageKey`, as for reference tokens.
 * Deliberately fast (see `storageKey`): client authentication happens on every token request, and
 * a slow KDF there is a denial-of-service lever. Throws for a secret too short to be high-entropy.
 */
export function hashSecret(secret: string): string {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    throw new TypeError(
      `hashSecret is for generated high-entropy secrets (at least ${MIN_SECRET_LENGTH} characters)`,
    );
  }
  return storageKey(secret);
}

/**
 * True when `secret` is the one `hash` was made from. Constant-time compare of the two hashes; a
 * presented secret of any length is hashed first, so its length does not change the timing of
 * the comparison.
 */
export function verifySecret(secret: string, hash: string): boolean {
  if (typeof secret !== 'string' || typeof hash !== 'string') return false;
  return safeEqual(storageKey(secret), hash);
}
