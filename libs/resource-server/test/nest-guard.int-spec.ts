import { Controller, Get, Module, Post, Req, UseGuards, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { BearerTokenGuard, RequireScopes, ResourceServerModule, type BearerRequestLike } from '../src';
import { call, httpFixture, summary, type HttpFixture } from './support/http-fixture';
import { BILLING_API, ISSUER, ORDERS_API } from './support/token-service';

/** Everything the Nest app logged. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log = (...args: unknown[]) => this.lines.push(args.map(String).join(' '));
  error = this.log;
  warn = this.log;
  debug = this.log;
  verbose = this.log;
}

@Controller('orders')
@UseGuards(BearerTokenGuard)
@RequireScopes('orders:read')
class OrdersController {
  @Get()
  list(@Req() req: BearerRequestLike) {
    return summary(req.token);
  }

  @Post()
  @RequireScopes('orders:write')
  create(@Req() req: BearerRequestLike) {
    return summary(req.token);
  }
}

@Controller('billing')
@UseGuards(BearerTokenGuard)
class BillingController {
  @Get()
  show(@Req() req: BearerRequestLike) {
    return summary(req.token);
  }
}

@Controller('down')
@UseGuards(BearerTokenGuard)
class DownController {
  @Get()
  show() {
    return {};
  }
}

/** BearerTokenGuard on a Fastify Nest app, with two APIs of different audiences in one process (as in the platform). */
describe('BearerTokenGuard (Nest on Fastify)', () => {
  let fx: HttpFixture;
  let app: NestFastifyApplication;
  let url: string;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    fx = await httpFixture();
    const { ts, ordersRs } = fx;

    @Module({
      imports: [
        ResourceServerModule.forRoot({
          useFactory: () => ts.options(ORDERS_API, { introspection: { clientId: ordersRs.client_id, clientSecret: ordersRs.client_secret, cacheTtlMs: 0 } }),
        }),
      ],
      controllers: [OrdersController],
    })
    class OrdersModule {}

    @Module({ imports: [ResourceServerModule.forRoot(ts.options(BILLING_API))], controllers: [BillingController] })
    class BillingModule {}

    @Module({
      imports: [
        ResourceServerModule.forRoot({
          issuer: ISSUER,
          audience: ORDERS_API,
          fetch: () => Promise.reject(new TypeError('fetch failed')),
        }),
      ],
      controllers: [DownController],
    })
    class DownModule {}

    @Module({ imports: [OrdersModule, BillingModule, DownModule] })
    class AppModule {}

    app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), {
      logger,
      // The stricter of Nest's two module identities: dynamic modules told apart by a hash of their metadata.
      moduleIdGeneratorAlgorithm: 'deep-hash',
    });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });
  afterAll(async () => {
    await app?.close();
    await fx?.ts.close();
  });

  it('lets a valid token with the scopes of the class in, and hands the route req.token', async () => {
    const jwt = await fx.readWriteJwt();
    expect(await call(`${url}/orders`, { authorization: `Bearer ${jwt}` })).toEqual({
      status: 200,
      challenge: null,
      body: { format: 'jwt', client_id: expect.any(String), scopes: ['orders:read', 'orders:write'] },
    });
    const reference = await fx.readOnlyReference();
    expect(await call(`${url}/orders`, { authorization: `bearer ${reference}` })).toMatchObject({ status: 200, body: { format: 'reference', client_id: fx.reader.client_id } });
  });

  it('requires the class and the method scopes together: 403 insufficient_scope naming both', async () => {
    const reference = await fx.readOnlyReference();
    const res = await call(`${url}/orders`, { method: 'POST', authorization: `Bearer ${reference}` });
    expect(res).toEqual({
      status: 403,
      challenge: `Bearer realm="${ORDERS_API}", error="insufficient_scope", error_description="The access token lacks the scope this request needs: orders:write.", scope="orders:read orders:write"`,
      body: { error: 'insufficient_scope', error_description: 'The access token lacks the scope this request needs: orders:write.', scope: 'orders:read orders:write' },
    });
    expect((await call(`${url}/orders`, { method: 'POST', authorization: `Bearer ${await fx.readWriteJwt()}` })).status).toBe(201);
  });

  it('answers a request without a token (or with another scheme) 401 with a bare challenge: no error code', async () => {
    for (const authorization of [undefined, 'Basic dXNlcjpwYXNz']) {
      expect(await call(`${url}/orders`, { authorization })).toEqual({ status: 401, challenge: `Bearer realm="${ORDERS_API}"`, body: {} });
    }
  });

  it('answers a malformed Bearer header 400 invalid_request', async () => {
    for (const authorization of ['Bearer', 'Bearer a b', 'Bearer "quoted"']) {
      const res = await call(`${url}/orders`, { authorization });
      expect(res.status).toBe(400);
      expect(res.challenge).toMatch(new RegExp(`^Bearer realm="${ORDERS_API}", error="invalid_request", error_description="[^"]+"$`));
      expect(res.body).toMatchObject({ error: 'invalid_request' });
    }
  });

  it('answers an invalid or revoked token 401 invalid_token, without the token anywhere', async () => {
    const reference = await fx.readOnlyReference();
    await fx.ts.revoke(fx.reader, reference);
    const forged = `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`;
    for (const token of [reference, forged]) {
      const res = await call(`${url}/orders`, { authorization: `Bearer ${token}` });
      expect(res.status).toBe(401);
      expect(res.challenge).toMatch(new RegExp(`^Bearer realm="${ORDERS_API}", error="invalid_token", error_description="[^"]+"$`));
      expect(res.body).toMatchObject({ error: 'invalid_token' });
      expect(JSON.stringify(res)).not.toContain(token);
    }
  });

  it('refuses a token also sent in the query (two methods): 400 invalid_request', async () => {
    const jwt = await fx.readWriteJwt();
    const res = await call(`${url}/orders?access_token=${jwt}`, { authorization: `Bearer ${jwt}` });
    expect(res).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });

  it('keeps two APIs apart: each module verifies against its own audience', async () => {
    const ordersToken = await fx.readWriteJwt();
    expect((await call(`${url}/orders`, { authorization: `Bearer ${ordersToken}` })).status).toBe(200);
    const res = await call(`${url}/billing`, { authorization: `Bearer ${ordersToken}` });
    expect(res).toMatchObject({ status: 401, body: { error: 'invalid_token', error_description: 'The access token is not meant for this audience' } });
    expect(res.challenge).toContain(`realm="${BILLING_API}"`);
  });

  it('answers 503 when the authorization server cannot be asked, and logs why without the token', async () => {
    const jwt = await fx.readWriteJwt();
    const res = await call(`${url}/down`, { authorization: `Bearer ${jwt}` });
    expect(res).toEqual({ status: 503, challenge: null, body: { error_description: 'The access token cannot be checked right now. Try again later.' } });
    expect(logger.lines.some((l) => l.includes(`The discovery document at ${ISSUER}/.well-known/openid-configuration could not be reached`))).toBe(true);
    expect(logger.lines.join('\n')).not.toContain(jwt.split('.')[2]);
  });
});
