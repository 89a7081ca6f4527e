import { callIssuer, jsonObject, type FetchLike } from './issuer-http';
import { IssuerUnavailableError } from './token-error';

/** What the resource server needs from the issuer's discovery document. */
export interface IssuerMetadata {
  jwksUri: string;
  introspectionEndpoint?: string;
}

/**
 * After a failed discovery fetch, requests fail fast for this long instead of each one calling
 * an issuer that is down (a flood of requests would otherwise become a flood of fetches).
 */
export const DISCOVERY_RETRY_AFTER_MS = 2_000;

/**
 * The issuer's OpenID Provider metadata (OpenID Connect Discovery 1.0 §4), fetched once and kept
 * for the life of the process: endpoints do not move while an issuer runs, and keys, which do
 * change, come from the JWKS with its own cache. Concurrent first requests share one fetch.
 */
export class IssuerMetadataSource {
  private metadata?: IssuerMetadata;
  private pending?: Promise<IssuerMetadata>;
  private failure?: { error: IssuerUnavailableError; at: number };

  constructor(
    private readonly issuer: string,
    private readonly fetchImpl: FetchLike,
    private readonly now: () => number = Date.now,
  ) {}

  get url(): string {
    return `${this.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  }

  async get(): Promise<IssuerMetadata> {
    if (this.metadata) return this.metadata;
    if (this.failure && this.now() - this.failure.at < DISCOVERY_RETRY_AFTER_MS) throw this.failure.error;
    this.pending ??= this.load().then(
      (metadata) => {
        this.metadata = metadata;
        this.failure = undefined;
        return metadata;
      },
      (err: unknown) => {
        const error = err instanceof IssuerUnavailableError ? err : new IssuerUnavailableError(`Discovery failed`, { cause: err });
        this.failure = { error, at: this.now() };
        throw error;
      },
    ).finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async load(): Promise<IssuerMetadata> {
    const url = this.url;
    const what = 'The discovery document';
    const res = await callIssuer(this.fetchImpl, url, { headers: { accept: 'application/json' } }, what);
    if (res.status !== 200) throw new IssuerUnavailableError(`${what} at ${url} answered HTTP ${res.status}`);
    const doc = jsonObject(res, url, what);
    // OpenID Connect Discovery §4.3: the document must name exactly the issuer it was fetched
    // for; anything else would let one issuer's keys vouch for another's tokens.
    if (doc['issuer'] !== this.issuer) {
      throw new IssuerUnavailableError(`${what} at ${url} names another issuer than ${this.issuer}`);
    }
    const jwksUri = doc['jwks_uri'];
    if (typeof jwksUri !== 'string' || !isHttpUrl(jwksUri)) throw new IssuerUnavailableError(`${what} at ${url} has no valid jwks_uri`);
    const introspection = doc['introspection_endpoint'];
    return {
      jwksUri,
      ...(typeof introspection === 'string' && isHttpUrl(introspection) ? { introspectionEndpoint: introspection } : {}),
    };
  }
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hash === '';
  } catch {
    return false;
  }
}
