import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { PinoNestLogger, redactUrl } from '../logging/logger';
import { HttpMetrics } from '../metrics/http-metrics';
import { METRICS_PATH, MetricsRegistry } from '../metrics/metrics-registry';
import { installLeanAsyncResourceBind } from './async-resource-bind';
import { GlobalErrorFilter } from './global-error.filter';

/** Set on requests that arrived through the internal listener (never the public one). */
export const INTERNAL_LISTENER = Symbol.for('tessera.internal-listener');
export const INTERNAL_PATH_PREFIX = '/internal/';
export const DEFAULT_BODY_LIMIT = 64 * 1024;
/** The longest path parameter a route accepts (fastify answers a longer one with 414). */
export const MAX_PATH_PARAM_LENGTH = 8 * 1024;
const REQUEST_ID_PREFIX = randomBytes(4).toString('hex');
let requestCounter = 0;

export function cameThroughInternalListener(req: IncomingMessage): boolean {
  return (req as IncomingMessage & { [INTERNAL_LISTENER]?: boolean })[INTERNAL_LISTENER] === true;
}

export interface HttpAppOptions {
  logger: Logger;
  bodyLimit?: number;
}

export interface ListenOptions {
  host: string;
  port: number;
  internalHost: string;
  internalPort: number;
}

export interface RunningHttpApp {
  app: NestFastifyApplication;
  publicUrl: string;
  internalUrl: string;
  close(): Promise<void>;
}

/**
 * Routes of the internal listener only: everything under `/internal/`, and `/metrics` (which
 * keeps the path scrapers expect). `route` is the matched route's pattern, so `/metrics?x`
 * is refused as well, and a portal or service path that merely starts with `/metrics` is not.
 */
function isInternalOnly(url: string, route: string | undefined): boolean {
  return url.startsWith(INTERNAL_PATH_PREFIX) || route === METRICS_PATH;
}

/**
 * One Nest application (one DI container) served on two listeners, as Hydra separates its
 * public and admin routers: `/internal/*` and `/metrics` answer only on the internal listener
 * (bound to loopback by default) and are a plain 404 on the public one.
 */
export async function createHttpApp(rootModule: unknown, options: HttpAppOptions): Promise<{
  app: NestFastifyApplication;
  listen(listen: ListenOptions): Promise<RunningHttpApp>;
}> {
  // fastify binds an AsyncResource per request body; Node 20 makes that needlessly expensive.
  installLeanAsyncResourceBind();
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  let publicServer: Server | undefined;
  const adapter = new FastifyAdapter({
    bodyLimit,
    // Path parameters longer than fastify's default of 100 characters: a sealed sign-in challenge
    // (`/internal/challenges/:challenge`) carries its pending authorization request.
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    trustProxy: false,
    return503OnClosing: true,
    // Log correlation only: a process-unique counter, cheaper than a UUID per request.
    genReqId: () => `${REQUEST_ID_PREFIX}-${(++requestCounter).toString(36)}`,
    serverFactory: (h: (req: IncomingMessage, res: ServerResponse) => void) => {
      handler = h;
      publicServer = createServer(h);
      return publicServer;
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(rootModule as never, adapter, {
    logger: new PinoNestLogger(options.logger),
    bodyParser: false,
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  // Cookies (OP session, challenge binding) are parsed by the plugin; they are never signed
  // here: each value is a random secret looked up by its hash.
  await app.register(fastifyCookie as never);

  // application/x-www-form-urlencoded stays a URLSearchParams so that handlers can see (and
  // refuse) repeated parameters; fastify parses JSON itself.
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit },
    (_req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) =>
      done(null, new URLSearchParams(body.toString())),
  );

  fastify.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (isInternalOnly(req.url, req.routeOptions.url) && !cameThroughInternalListener(req.raw)) {
      void reply.code(404).send(notFoundBody);
      return;
    }
    done();
  });

  // Errors raised by fastify before a Nest handler runs (body too large, bad JSON, unknown
  // media type) reach Nest's exception layer, where GlobalErrorFilter gives them the OAuth shape.
  app.useGlobalFilters(new GlobalErrorFilter(options.logger, bodyLimit));
  fastify.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    // Checked first: redacting the URL parses its query, for every request, and below `debug`
    // (the default is `info`) the line is dropped anyway. (The platform's logger redacts `req.url`
    // again in its serializer; a bare pino logger, as tests pass, relies on this one.)
    if (options.logger.isLevelEnabled('debug')) {
      options.logger.debug(
        { req: { id: req.id, method: req.method, url: redactUrl(req.url) }, status: reply.statusCode, ms: reply.elapsedTime },
        'request',
      );
    }
    done();
  });
  // Both listeners are counted: internal routes have patterns of their own (`/internal/...`).
  const httpMetrics = metricsOf(app);
  if (httpMetrics) {
    fastify.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
      httpMetrics.observe({ method: req.method, route: req.routeOptions.url, status: reply.statusCode, seconds: reply.elapsedTime / 1000 });
      done();
    });
  }

  return {
    app,
    async listen(listen: ListenOptions): Promise<RunningHttpApp> {
      await app.listen(listen.port, listen.host);
      const internalServer = createServer((req, res) => {
        (req as IncomingMessage & { [INTERNAL_LISTENER]?: boolean })[INTERNAL_LISTENER] = true;
        if (!handler) throw new Error('listen() before the HTTP server was created');
        handler(req, res);
      });
      await new Promise<void>((resolve, reject) => {
        internalServer.once('error', reject);
        internalServer.listen(listen.internalPort, listen.internalHost, () => resolve());
      });
      if (!publicServer) throw new Error('The public HTTP server was not created');
      const pub = publicServer.address() as AddressInfo;
      const int = internalServer.address() as AddressInfo;
      return {
        app,
        publicUrl: `http://${hostForUrl(pub.address)}:${pub.port}`,
        internalUrl: `http://${hostForUrl(int.address)}:${int.port}`,
        async close() {
          await new Promise<void>((resolve) => internalServer.close(() => resolve()));
          internalServer.closeAllConnections();
          await app.close();
        },
      };
    },
  };
}

/** The request metrics, when the application has a MetricsRegistry (RuntimeModule provides one). */
function metricsOf(app: NestFastifyApplication): HttpMetrics | undefined {
  let registry: MetricsRegistry | undefined;
  try {
    registry = app.get(MetricsRegistry, { strict: false });
  } catch {
    return undefined;
  }
  return registry ? new HttpMetrics(registry) : undefined;
}

const notFoundBody = { error: 'not_found', error_description: 'No such endpoint.' };

function hostForUrl(address: string): string {
  if (address === '::' || address === '0.0.0.0') return '127.0.0.1';
  return address.includes(':') ? `[${address}]` : address;
}
