import type { FastifyReply } from 'fastify';
import type { ResponseMode } from './response-mode';

/** RFC 6749 §4.1.2: parameters added to the redirect URI's query, keeping its own. 303 suits GET and POST. */
export class QueryResponseMode implements ResponseMode {
  readonly name = 'query' as const;

  send(reply: FastifyReply, redirectUri: string, params: Record<string, string>) {
    const url = new URL(redirectUri);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    void reply.code(303).header('location', url.toString()).header('cache-control', 'no-store').send();
  }
}
