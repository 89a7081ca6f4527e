import { calculateJwkThumbprint, type JSONWebKeySet, type JWK } from 'jose';

/**
 * The members a published key may carry: per key type, the public key parameters (RFC 7518 §6,
 * RFC 8037 §2), plus the metadata verifiers use. Everything else is dropped. This is an allow-list
 * on purpose: a deny-list of the private members (`d`, `p`, `q`, `dp`, `dq`, `qi`) would miss
 * `oth` (multi-prime RSA) and whatever a future key type names its secret.
 */
const PUBLIC_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'x', 'y'],
  RSA: ['n', 'e'],
  OKP: ['crv', 'x'],
};
const METADATA_MEMBERS = ['kid', 'alg', 'use', 'key_ops'] as const;

/** A copy of `jwk` with only its public members; throws for symmetric (`oct`) or unknown key types. */
export function toPublicJwk(jwk: JWK): JWK {
  const kty = jwk.kty;
  const members = kty === undefined ? undefined : PUBLIC_MEMBERS[kty];
  if (!members) {
    // `oct` keys are secret through and through: there is no public half to publish.
    throw new TypeError(`Cannot publish a JWK of key type ${String(kty)}`);
  }
  const source = jwk as Record<string, unknown>;
  const out: Record<string, unknown> = { kty };
  for (const name of [...members, ...METADATA_MEMBERS]) {
    if (source[name] !== undefined) out[name] = source[name];
  }
  for (const name of members) {
    if (typeof out[name] !== 'string') {
      throw new TypeError(`JWK of key type ${kty} lacks its "${name}" member`);
    }
  }
  return out as JWK;
}

/**
 * The JWKS document served at `/oauth2/jwks`: the public half of each key, never a private
 * member even if a private JWK is handed in. Two keys with the same `kid` are refused, because
 * verifiers could not tell them apart.
 */
export function buildJwks(keys: ReadonlyArray<{ readonly publicJwk: JWK }>): JSONWebKeySet {
  const seen = new Set<string>();
  return {
    keys: keys.map(({ publicJwk }) => {
      const jwk = toPublicJwk(publicJwk);
      if (jwk.kid !== undefined) {
        if (seen.has(jwk.kid)) throw new Error(`Two keys share the kid ${jwk.kid}`);
        seen.add(jwk.kid);
      }
      return jwk;
    }),
  };
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url). Private and public halves of a key give the same value. */
export function jwkThumbprint(jwk: JWK): Promise<string> {
  return calculateJwkThumbprint(jwk, 'sha256');
}
