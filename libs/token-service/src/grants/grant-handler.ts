import type { Client } from '../clients/client';
import type { RequestParams } from '../http/form';

/** What a grant's `validate` established, handed unchanged to its `issue`. */
export type ValidatedGrant = Record<string, unknown>;

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  id_token?: string;
  [extension: string]: unknown;
}

/** What the token endpoint knows of the request beyond its parameters. */
export interface TokenRequestContext {
  /** The end user's IP address as this service sees it (trusted proxies honoured), for throttling. */
  ip: string;
}

/**
 * One grant type (fosite's two-phase handler, panva's parameter allow-list): `validate` checks
 * everything and has no side effects; `issue` persists and answers.
 */
export abstract class GrantHandler {
  abstract readonly grantType: string;
  /** The parameters this grant reads; every other one is ignored. */
  abstract readonly parameters: ReadonlySet<string>;
  /** Parameters that may appear more than once (RFC 8707 `resource`). */
  readonly repeatableParameters: ReadonlySet<string> = new Set();
  abstract readonly clientAuthentication: 'required' | 'optional';
  abstract validate(params: RequestParams, client: Client, context: TokenRequestContext): Promise<ValidatedGrant>;
  abstract issue(grant: ValidatedGrant, client: Client): Promise<TokenResponse>;
}

export const GRANT_HANDLERS = Symbol.for('tessera.grant-handlers');
