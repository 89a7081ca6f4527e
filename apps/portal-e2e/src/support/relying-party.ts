import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import type { RunningPlatform } from '@tessera/test-kit';

export interface ScopeRule {
  scope: string;
  required?: boolean;
}

/**
 * A relying party, played by openid-client: a confidential web client registered at the
 * platform, which sends the browser to the authorization endpoint and redeems the code it gets
 * back (PKCE, state, nonce, `iss` checked by openid-client).
 */
export class RelyingParty {
  private pending?: { verifier: string; state: string; nonce: string };

  private constructor(
    readonly clientId: string,
    readonly config: oidc.Configuration,
    private readonly redirectUri: string,
    private readonly server: Server,
    private readonly callbacks: string[],
  ) {}

  /**
   * Registers the app and starts its callback endpoint: a loopback HTTP server that records each
   * redirect the browser makes to it (a browser's redirects cannot all be intercepted in-page).
   */
  static async register(platform: RunningPlatform, options: { name: string; scopes: ScopeRule[]; logoUri?: string; policyUri?: string; tosUri?: string; clientUri?: string }): Promise<RelyingParty> {
    const callbacks: string[] = [];
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      // Only the redirects: the browser also asks for /favicon.ico and the like.
      if (url.pathname !== '/rp/callback') return void res.writeHead(404).end();
      callbacks.push(url.href);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Relying party</title><h1>Back at the app</h1>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    server.unref(); // it ends with the test process
    const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/rp/callback`;
    const created = await platform.internal<{ client_id: string; client_secret: string }>('POST', '/internal/clients', {
      client_name: options.name,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_basic',
      allowed_scopes: options.scopes.map((s) => ({ scope: s.scope, required: s.required ?? false })),
      refresh_tokens: true,
      ...(options.logoUri ? { logo_uri: options.logoUri } : {}),
      ...(options.policyUri ? { policy_uri: options.policyUri } : {}),
      ...(options.tosUri ? { tos_uri: options.tosUri } : {}),
      ...(options.clientUri ? { client_uri: options.clientUri } : {}),
    });
    if (created.status !== 201) throw new Error(`client registration failed: ${created.status} ${JSON.stringify(created.body)}`);
    const config = await oidc.discovery(new URL(platform.issuer), created.body.client_id, created.body.client_secret, oidc.ClientSecretBasic(), {
      execute: [oidc.allowInsecureRequests],
    });
    return new RelyingParty(created.body.client_id, config, redirectUri, server, callbacks);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** A fresh authorization request URL. */
  async authorizationUrl(scope: string, extra: Record<string, string> = {}): Promise<string> {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    this.pending = { verifier, state, nonce };
    return oidc
      .buildAuthorizationUrl(this.config, {
        redirect_uri: this.redirectUri,
        scope,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        ...extra,
      })
      .toString();
  }

  /**
   * Runs `action` (clicks in the browser) and waits for the redirect to this RP it leads to.
   */
  async callbackAfter(action: () => Promise<unknown>, timeoutMs = 15_000): Promise<URL> {
    const before = this.callbacks.length;
    await action();
    const deadline = Date.now() + timeoutMs;
    while (this.callbacks.length === before) {
      if (Date.now() > deadline) throw new Error(`the browser did not come back to the app within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return new URL(this.callbacks.at(-1) as string);
  }

  /** The last redirect the browser made to this RP. */
  lastCallback(): URL | undefined {
    const last = this.callbacks.at(-1);
    return last ? new URL(last) : undefined;
  }

  /** Redeems the last callback's code. */
  async redeem(): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers> {
    const callback = this.lastCallback();
    if (!callback || !this.pending) throw new Error('no callback to redeem');
    const { verifier, state, nonce } = this.pending;
    return oidc.authorizationCodeGrant(this.config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  }

  introspect(token: string) {
    return oidc.tokenIntrospection(this.config, token);
  }

  refresh(refreshToken: string) {
    return oidc.refreshTokenGrant(this.config, refreshToken);
  }

  userInfo(accessToken: string, sub: string) {
    return oidc.fetchUserInfo(this.config, accessToken, sub);
  }
}
