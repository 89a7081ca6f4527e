import { Inject, Injectable } from '@nestjs/common';
import { ClientsService } from '../clients/clients.service';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../config/token-service-config';
import { SubjectsService } from '../oidc/subjects.service';
import type { EndedOpSession } from '../ports/op-session.store';

/**
 * Adds query parameters to a registered URI as they are, keeping its own query unchanged
 * (Front-Channel Logout 1.0 §2: it "MUST be retained"); registered URIs carry no fragment.
 */
export function appendQuery(uri: string, params: Record<string, string>): string {
  const added = new URLSearchParams(params).toString();
  if (!added) return uri;
  return `${uri}${uri.includes('?') ? (uri.endsWith('?') || uri.endsWith('&') ? '' : '&') : '?'}${added}`;
}

/**
 * OpenID Connect Front-Channel Logout 1.0 §3: the URLs the logout page renders in iframes, one
 * per client of the ended OP sessions that registered a frontchannel_logout_uri, with `iss`
 * and the `sid` the client knows (as in its ID tokens) when it registered
 * frontchannel_logout_session_required.
 */
@Injectable()
export class FrontChannelLogoutService {
  constructor(
    private readonly clients: ClientsService,
    private readonly subjects: SubjectsService,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
  ) {}

  async iframeUrls(ended: readonly EndedOpSession[]): Promise<string[]> {
    const urls = new Set<string>();
    for (const session of ended) {
      for (const clientId of session.clientIds) {
        const client = await this.clients.find(clientId);
        const uri = client?.frontchannelLogoutUri;
        if (!client || !uri) continue;
        urls.add(
          client.frontchannelLogoutSessionRequired
            ? appendQuery(uri, { iss: this.config.issuer, sid: this.subjects.sessionIdForClient(client, session.sid) })
            : uri,
        );
      }
    }
    return [...urls];
  }
}
