import type { FastifyReply } from 'fastify';

/** How an authorization response (success or error) reaches the client's redirect URI. */
export interface ResponseMode {
  readonly name: 'query' | 'fragment' | 'form_post';
  send(reply: FastifyReply, redirectUri: string, params: Record<string, string>): void;
}
