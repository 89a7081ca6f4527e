import { Controller, Get, Inject, NotFoundException, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { cameThroughInternalListener } from '@tessera/runtime';
import { matchesEtag, negotiateEncoding } from './negotiation';
import type { PortalBuild, PortalFile } from './portal-build';
import { pathOfUrl, REVALIDATE, routePortalRequest } from './portal-routing';
import { PORTAL_SECURITY_HEADERS } from './security-headers';
import { notFoundPage, unavailablePage } from './unavailable-page';

export const PORTAL_BUILD = Symbol.for('tessera.portal-build');

/**
 * The portal on the public origin. One catch-all GET route (Fastify adds its HEAD): find-my-way
 * tries static and parametric routes before a wildcard, so every service route still wins, and
 * only what no service answers reaches this controller. What is not the portal's (API prefixes,
 * unknown paths that do not take HTML, anything on the internal listener) gets the same JSON 404
 * as before: the NotFoundException Nest's own not-found handler throws, answered by the
 * platform's GlobalErrorFilter.
 */
@Controller()
export class PortalController {
  /** Without a build: a portal page is unavailable (503), any other path a browser asks for does not exist (404). */
  private readonly unavailable = Buffer.from(unavailablePage());
  private readonly notFound = Buffer.from(notFoundPage());

  constructor(@Inject(PORTAL_BUILD) private readonly build: PortalBuild) {}

  @Get('*')
  serve(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    if (cameThroughInternalListener(req.raw)) throw new NotFoundException();
    const answer = routePortalRequest(pathOfUrl(req.url), req.headers.accept, this.build);
    switch (answer.kind) {
      case 'none':
        throw new NotFoundException();
      case 'file':
        return this.send(req, reply, answer.file, 200, answer.cacheControl);
      case 'page':
        // The not-found page depends on Accept too (a JSON client gets the JSON 404).
        if (answer.status === 404) void reply.header('vary', 'Accept, Accept-Encoding');
        return this.send(req, reply, answer.file, answer.status, REVALIDATE);
      case 'unavailable':
        // As with a build: whether an unknown path gets this page or the JSON 404 depends on Accept.
        if (answer.status === 404) void reply.header('vary', 'Accept');
        return reply
          .code(answer.status === 404 ? 404 : 503)
          .headers(PORTAL_SECURITY_HEADERS)
          .header('content-type', 'text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(answer.status === 404 ? this.notFound : this.unavailable);
    }
  }

  private send(req: FastifyRequest, reply: FastifyReply, file: PortalFile, status: 200 | 404, cacheControl: string) {
    const encoding = negotiateEncoding(header(req, 'accept-encoding'), new Set(file.encoded.keys()));
    const representation = encoding === 'identity' ? { body: file.body, etag: file.etag } : (file.encoded.get(encoding) ?? { body: file.body, etag: file.etag });
    void reply.headers(PORTAL_SECURITY_HEADERS).header('cache-control', cacheControl).header('etag', representation.etag);
    if (file.encoded.size > 0 && !reply.hasHeader('vary')) void reply.header('vary', 'Accept-Encoding');
    // RFC 9110 §13.1.2: a GET or HEAD whose validator still matches gets 304 without the content.
    if (status === 200 && matchesEtag(header(req, 'if-none-match'), representation.etag)) return reply.code(304).send();
    void reply.header('content-type', file.contentType);
    if (encoding !== 'identity') void reply.header('content-encoding', encoding);
    return reply.code(status).send(representation.body);
  }
}

const header = (req: FastifyRequest, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};
