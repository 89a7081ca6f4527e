import { Inject, Injectable } from '@nestjs/common';
import { InvalidRequestError, UnauthorizedClientError, UnsupportedGrantTypeError } from '@tessera/oauth-errors';
import { CLIENT_AUTH_PARAMS, ClientAuthenticator } from '../client-auth/client-authenticator';
import { refuseDisabledAtTokenEndpoint } from '../clients/disabled-client';
import { readForm } from '../http/form';
import { GRANT_HANDLERS, GrantHandler, type TokenRequestContext, type TokenResponse } from './grant-handler';

/**
 * The token endpoint's pipeline (panva's token.js): parse → refuse duplicates → authenticate
 * the client → refuse a disabled one → find the grant handler → check the client may use it →
 * strip undeclared parameters → validate → issue.
 */
@Injectable()
export class TokenEndpointService {
  private readonly handlers = new Map<string, GrantHandler>();
  /** Every parameter some grant may repeat; parsed as lists, then checked per grant. */
  private readonly repeatable = new Set<string>();

  constructor(
    private readonly authenticator: ClientAuthenticator,
    @Inject(GRANT_HANDLERS) handlers: GrantHandler[],
  ) {
    for (const h of handlers) {
      if (this.handlers.has(h.grantType)) throw new Error(`Two grant handlers for ${h.grantType}`);
      this.handlers.set(h.grantType, h);
      for (const p of h.repeatableParameters) this.repeatable.add(p);
    }
  }

  get grantTypes(): string[] {
    return [...this.handlers.keys()];
  }

  async handle(body: unknown, authorization: string | undefined, endpointUrl: string, context: TokenRequestContext): Promise<TokenResponse> {
    const params = readForm(body, this.repeatable);
    const grantType = params.one['grant_type'];
    if (!grantType) throw new InvalidRequestError('grant_type is required.');
    const handler = this.handlers.get(grantType);
    // Duplicates are judged per grant: only its own repeatable parameters may repeat.
    for (const [name, values] of Object.entries(params.many)) {
      if (handler?.repeatableParameters.has(name)) continue;
      if (values.length > 1) throw new InvalidRequestError(`Parameter "${name}" was sent more than once.`);
      params.one[name] = values[0];
      delete params.many[name];
    }
    const client = await this.authenticator.authenticate(params, authorization, endpointUrl);
    refuseDisabledAtTokenEndpoint(client);
    if (!handler) throw new UnsupportedGrantTypeError(`grant_type "${grantType}" is not supported.`);
    if (!client.grantTypes.includes(grantType)) {
      throw new UnauthorizedClientError(`This client is not registered for the ${grantType} grant.`);
    }
    const declared = { one: pick(params.one, handler.parameters), many: pick(params.many, handler.parameters) };
    const grant = await handler.validate(declared, client, context);
    return handler.issue(grant, client);
  }
}

function pick<T>(record: Record<string, T>, keep: ReadonlySet<string>): Record<string, T> {
  const out: Record<string, T> = Object.create(null);
  for (const key of Object.keys(record)) if (keep.has(key) || (CLIENT_AUTH_PARAMS as readonly string[]).includes(key)) out[key] = record[key];
  return out;
}
