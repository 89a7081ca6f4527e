import { Inject, Injectable } from '@nestjs/common';
import { OAuthError } from '@tessera/oauth-errors';
import { randomId, storageKey } from '@tessera/token-formats';
import type { Client } from '../clients/client';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { PushedRequestStore } from '../ports/pushed-request.store';

/** RFC 9126 §2.2: the request_uri is this URN plus a value only the server could have made. */
export const PAR_URN_PREFIX = 'urn:ietf:params:oauth:request_uri:';
/** Long enough to send the browser on, short enough that a leaked URI is soon useless (§2.2). */
export const PUSHED_REQUEST_TTL = 90;

/** Pushed authorization requests: stored once validated, redeemed once at the authorization endpoint. */
@Injectable()
export class PushedRequestsService {
  constructor(
    private readonly store: PushedRequestStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async save(client: Client, params: Record<string, string[]>): Promise<{ requestUri: string; expiresIn: number }> {
    const requestUri = `${PAR_URN_PREFIX}${randomId(32)}`;
    await this.store.insert({ storageKey: storageKey(requestUri), clientId: client.clientId, params, expiresAt: epochSeconds(this.clock) + PUSHED_REQUEST_TTL });
    return { requestUri, expiresIn: PUSHED_REQUEST_TTL };
  }

  /** The pushed parameters, once: unknown, used, expired or another client's → invalid_request_uri. */
  async take(requestUri: string, client: Client): Promise<Record<string, string[]>> {
    const pushed = await this.store.take(storageKey(requestUri), client.clientId);
    if (!pushed || pushed.expiresAt <= epochSeconds(this.clock)) {
      throw new OAuthError('invalid_request_uri', 'request_uri is unknown, expired, already used, or was pushed by another client.');
    }
    return pushed.params;
  }
}
