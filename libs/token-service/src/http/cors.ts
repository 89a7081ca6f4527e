import type { FastifyReply } from 'fastify';

/**
 * Browser clients (SPAs) call discovery, JWKS, token and revocation endpoints cross-origin.
 * No cookies are involved there, so any origin may call them; credentials stay in headers.
 */
export function allowCors(reply: FastifyReply): FastifyReply {
  return reply.header('access-control-allow-origin', '*');
}

export function answerPreflight(reply: FastifyReply, methods: string): void {
  void allowCors(reply)
    .header('access-control-allow-methods', methods)
    .header('access-control-allow-headers', 'authorization, content-type, dpop')
    .header('access-control-max-age', '600')
    .code(204)
    .send();
}
