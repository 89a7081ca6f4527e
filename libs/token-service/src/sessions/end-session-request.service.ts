import { Inject, Injectable } from '@nestjs/common';
import { InvalidRequestError } from '@tessera/oauth-errors';
import { IdTokenHintError, verifyIdTokenHint } from '@tessera/token-formats';
import type { Client } from '../clients/client';
import { ClientsService } from '../clients/clients.service';
import { CLOCK, type Clock } from '../clock';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../config/token-service-config';
import { SigningKeysService } from '../keys/signing-keys.service';
import { SubjectsService } from '../oidc/subjects.service';
import type { ValidatedLogoutRequest } from '../ports/logout-request.store';
import type { OpSession } from '../ports/op-session.store';

/** The parameters of RP-Initiated Logout 1.0 §2, each with the longest value accepted. */
const PARAMETERS: Readonly<Record<string, number>> = {
  id_token_hint: 16_384,
  logout_hint: 1024,
  client_id: 255,
  post_logout_redirect_uri: 2048,
  state: 2048,
  ui_locales: 255,
};
const MAX_PARAMETERS = 64;

/** A logout request checked against the spec, with what it says about who is logging out. */
export interface EndSessionRequest extends ValidatedLogoutRequest {
  client?: Client;
  /** The verified id_token_hint: the subject and session as the client knows them. */
  hint?: { sub: string; sid?: string };
  logoutHint?: string;
}

/**
 * Validation of RP-initiated logout requests (OpenID Connect RP-Initiated Logout 1.0 §2-§4), and
 * the decision whether the user must be asked before the OP session ends.
 */
@Injectable()
export class EndSessionRequestService {
  constructor(
    private readonly clients: ClientsService,
    private readonly keys: SigningKeysService,
    private readonly subjects: SubjectsService,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Throws `invalid_request` for anything §4 calls an error: then nothing is redirected to. */
  async validate(params: URLSearchParams): Promise<EndSessionRequest> {
    const p = readParameters(params);
    let client: Client | undefined;
    let hint: EndSessionRequest['hint'];
    if (p['id_token_hint'] !== undefined) {
      const verified = await this.verifyHint(p['id_token_hint']);
      // §2: with both, "the OP MUST verify that the Client Identifier matches the one used when
      // issuing the ID Token". Tessera issues every ID token to its one client.
      if (p['client_id'] !== undefined && !verified.aud.includes(p['client_id'])) {
        throw new InvalidRequestError('client_id is not the client the id_token_hint was issued to.');
      }
      const clientId = p['client_id'] ?? verified.aud[0];
      client = await this.clients.find(clientId);
      if (!client) throw new InvalidRequestError('The id_token_hint was issued to a client that is no longer registered.', { detail: `client ${clientId}` });
      hint = { sub: verified.sub, sid: verified.sid };
    } else if (p['client_id'] !== undefined) {
      client = await this.clients.find(p['client_id']);
      if (!client) throw new InvalidRequestError('client_id is not a registered client.');
    }
    const uri = p['post_logout_redirect_uri'];
    if (uri !== undefined) {
      // §3: the OP must know which client the URI belongs to, and it must be registered exactly.
      if (!client) throw new InvalidRequestError('post_logout_redirect_uri needs an id_token_hint or a client_id naming the client it belongs to.');
      if (!(client.postLogoutRedirectUris ?? []).includes(uri)) {
        throw new InvalidRequestError('post_logout_redirect_uri is not registered for this client.');
      }
    }
    return {
      client,
      clientId: client?.clientId,
      hint,
      logoutHint: p['logout_hint'],
      postLogoutRedirectUri: uri,
      state: p['state'],
      uiLocales: p['ui_locales']?.split(' ').filter(Boolean),
    };
  }

  /**
   * A request validated when the confirmation page was shown, checked again when the user
   * answers: a post_logout_redirect_uri the client no longer registers is not followed.
   */
  async recheck(request: ValidatedLogoutRequest): Promise<ValidatedLogoutRequest> {
    const uri = request.postLogoutRedirectUri;
    if (uri === undefined) return request;
    const client = request.clientId === undefined ? undefined : await this.clients.find(request.clientId);
    return client?.postLogoutRedirectUris?.includes(uri) ? request : { ...request, postLogoutRedirectUri: undefined };
  }

  /**
   * §2: "the OP MUST ask the End-User [whether to log out] if an id_token_hint was not provided
   * or if the supplied ID Token does not belong to the current OP session with the RP and/or
   * currently logged in End-User." A logout_hint (the OP's discretion) is read as the `sid` or
   * `sub` the client knows; any other value (an email address, say) only makes the OP ask.
   */
  mustAsk(request: EndSessionRequest, session: OpSession): boolean {
    const { client, hint } = request;
    if (!client || !hint) return true;
    const sid = this.subjects.sessionIdForClient(client, session.sid);
    const sub = this.subjects.forClient(client, session.sub);
    if (hint.sub !== sub) return true;
    if (hint.sid !== undefined && hint.sid !== sid) return true;
    return request.logoutHint !== undefined && request.logoutHint !== sid && request.logoutHint !== sub;
  }

  /** An ID token this OP issued: our signature and issuer; expired is fine (§2, §4). */
  private async verifyHint(value: string) {
    try {
      return await verifyIdTokenHint(value, { issuer: this.config.issuer, keys: (await this.keys.jwks()).keys as never, currentDate: new Date(this.clock()) });
    } catch (err) {
      if (err instanceof IdTokenHintError) {
        const description =
          err.reason === 'wrong_issuer' ? 'id_token_hint was issued by another OpenID Provider.' : 'id_token_hint is not an ID token issued by this server.';
        throw new InvalidRequestError(description, { detail: err.message });
      }
      throw err;
    }
  }
}

/** Each parameter at most once (RFC 6749 §3.1), within its length; an empty value counts as omitted. */
function readParameters(params: URLSearchParams): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = Object.create(null);
  const seen = new Set<string>();
  let count = 0;
  for (const [name, value] of params) {
    if (++count > MAX_PARAMETERS) throw new InvalidRequestError(`Too many parameters (at most ${MAX_PARAMETERS}).`);
    if (!Object.hasOwn(PARAMETERS, name)) continue;
    const max = PARAMETERS[name];
    if (seen.has(name)) throw new InvalidRequestError(`Parameter "${name}" was sent more than once.`);
    seen.add(name);
    if (value.length > max) throw new InvalidRequestError(`Parameter "${name}" is longer than ${max} characters.`);
    if (value !== '') out[name] = value;
  }
  return out;
}
