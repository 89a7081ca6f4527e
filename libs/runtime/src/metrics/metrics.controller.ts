import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { cameThroughInternalListener } from '../http/http-app';
import { METRICS_PATH, MetricsRegistry } from './metrics-registry';

export const METRICS_ENDPOINT_OPTIONS = Symbol.for('tessera.metrics-endpoint-options');

export interface MetricsEndpointOptions {
  /** TESSERA_METRICS_TOKEN: when set, a scrape must send `Authorization: Bearer <token>`. */
  token?: string;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * `GET /metrics` in Prometheus's text format, on the internal listener only: a scraper reaches
 * each replica directly, and the public origin answers it with the same 404 as any unknown path
 * (http-app.ts refuses it there before routing; the check here is the second lock). With
 * TESSERA_METRICS_TOKEN set, the scraper authenticates with it as a bearer token.
 */
@Controller()
export class MetricsController {
  private readonly expected?: Buffer;

  constructor(
    private readonly metrics: MetricsRegistry,
    @Inject(METRICS_ENDPOINT_OPTIONS) options: MetricsEndpointOptions,
  ) {
    this.expected = options.token === undefined ? undefined : digest(options.token);
  }

  @Get(METRICS_PATH.slice(1))
  async scrape(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    if (!cameThroughInternalListener(req.raw)) {
      return reply.code(404).header('cache-control', 'no-store').send({ error: 'not_found', error_description: 'No such endpoint.' });
    }
    if (this.expected) {
      const header = req.headers.authorization ?? '';
      const presented = /^Bearer /i.test(header) ? header.slice(7).trim() : '';
      // Digests of equal length, compared in constant time: neither the token nor its length leaks.
      if (!presented || !timingSafeEqual(digest(presented), this.expected)) {
        // RFC 6750 §3: a challenge, with an error code only when a credential was sent (§3.1).
        return reply
          .code(401)
          .header('www-authenticate', presented ? 'Bearer realm="tessera-metrics", error="invalid_token"' : 'Bearer realm="tessera-metrics"')
          .header('cache-control', 'no-store')
          .send({ error: 'invalid_token', error_description: 'Scraping the metrics needs the bearer token set in TESSERA_METRICS_TOKEN.' });
      }
    }
    const body = await this.metrics.metrics();
    return reply.code(200).header('content-type', this.metrics.contentType).header('cache-control', 'no-store').send(body);
  }
}
