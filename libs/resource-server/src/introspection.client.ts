import { callIssuer, jsonObject, type FetchLike, type IssuerResponse } from './issuer-http';
import { IssuerUnavailableError } from './token-error';

/** RFC 9701 §4 and §5: the media type asked for, and answered with, a signed introspection response. */
export const INTROSPECTION_JWT_MEDIA_TYPE = 'application/token-introspection+jwt';

/**
 * The resource server's calls to the introspection endpoint (RFC 7662 §2.1), authenticated with
 * its own client by client_secret_basic (RFC 6749 §2.3.1: id and secret form-urlencoded, then
 * joined and base64-encoded). The token goes in the POST body, never in a URL.
 */
export class IntrospectionClient {
  private readonly authorization: string;

  constructor(
    private readonly endpoint: () => Promise<string>,
    clientId: string,
    clientSecret: string,
    private readonly fetchImpl: FetchLike,
  ) {
    this.authorization = `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`;
  }

  /** The JSON answer (RFC 7662 §2.2): an object whose `active` is a boolean. */
  async introspect(token: string): Promise<Record<string, unknown>> {
    const { res, url } = await this.post(token, 'application/json');
    const answer = jsonObject(res, url, 'The introspection endpoint');
    if (typeof answer['active'] !== 'boolean') {
      throw new IssuerUnavailableError(`The introspection endpoint at ${url} answered without a boolean "active"`);
    }
    return answer;
  }

  /** The RFC 9701 answer, unverified: the compact JWT as the authorization server sent it. */
  async introspectJwt(token: string): Promise<string> {
    const { res, url } = await this.post(token, INTROSPECTION_JWT_MEDIA_TYPE);
    if (res.contentType.split(';')[0].trim() !== INTROSPECTION_JWT_MEDIA_TYPE) {
      throw new IssuerUnavailableError(`The introspection endpoint at ${url} did not answer with ${INTROSPECTION_JWT_MEDIA_TYPE}`);
    }
    return res.body.trim();
  }

  private async post(token: string, accept: string): Promise<{ res: IssuerResponse; url: string }> {
    const url = await this.endpoint();
    const res = await callIssuer(
      this.fetchImpl,
      url,
      {
        method: 'POST',
        headers: { authorization: this.authorization, 'content-type': 'application/x-www-form-urlencoded', accept },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
      },
      'The introspection endpoint',
    );
    if (res.status !== 200) {
      // 401 here means the resource server's own client credentials were refused: a
      // configuration error to fix on this side, not a verdict on the caller's token.
      throw new IssuerUnavailableError(`The introspection endpoint at ${url} answered HTTP ${res.status}${errorCode(res)}`);
    }
    return { res, url };
  }
}

function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}

/** The RFC 6749 `error` code of an error answer, if any (never its description, which we did not write). */
function errorCode(res: IssuerResponse): string {
  try {
    const code = (JSON.parse(res.body) as { error?: unknown }).error;
    return typeof code === 'string' && /^[a-z_]{1,64}$/.test(code) ? ` (${code})` : '';
  } catch {
    return '';
  }
}
