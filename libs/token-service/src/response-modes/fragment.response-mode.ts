import type { FastifyReply } from 'fastify';
import type { ResponseMode } from './response-mode';

/**
 * OAuth 2.0 Multiple Response Type Encoding Practices §2.1: parameters in the redirect URI's
 * fragment, which the browser keeps to itself (never sent to a server, never in a Referer).
 * The default for every response type that returns tokens from the authorization endpoint.
 */
export class FragmentResponseMode implements ResponseMode {
  readonly name = 'fragment' as const;

  send(reply: FastifyReply, redirectUri: string, params: Record<string, string>) {
    const fragment = new URLSearchParams(params).toString();
    void reply.code(303).header('location', `${redirectUri}#${fragment}`).header('cache-control', 'no-store').send();
  }
}
