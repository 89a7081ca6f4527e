import type { Client } from '../clients/client';
import type { AuthorizationRequest } from './authorization-request';

/** What the authorization endpoint has established so far, step by step. */
export interface AuthorizeContext {
  /** Every parameter as sent, each name with all its values (duplicates are judged by a step). */
  raw: Record<string, string[]>;
  client?: Client;
  /**
   * Set once redirect_uri is verified: from then on errors go to the client (RFC 6749 §4.1.2.1);
   * before, they are shown on an error page and never redirected.
   */
  redirectUri?: string;
  responseMode: AuthorizationRequest['responseMode'];
  state?: string;
  request: Partial<AuthorizationRequest>;
  /** The parameters come from a pushed authorization request (RFC 9126), or are being pushed. */
  pushed?: boolean;
}

/** One check of an authorization request; adding a check is adding a file and a line in the pipeline. */
export interface AuthorizeStep {
  readonly name: string;
  run(ctx: AuthorizeContext): void | Promise<void>;
}

/** The single value of a parameter (steps run after duplicates were refused). */
export const param = (ctx: AuthorizeContext, name: string): string | undefined => ctx.raw[name]?.[0];
