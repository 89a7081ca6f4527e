import { HttpException, type ExecutionContext } from '@nestjs/common';
import { TokenVerifier } from '../token-verifier';
import { BearerTokenGuard } from './bearer-token.guard';

/** An Express-shaped response (header() and setHeader()) or a bare Node one (setHeader() only), recording headers. */
function response(kind: 'express' | 'node') {
  const headers: Record<string, string> = {};
  const setHeader = (name: string, value: string) => void (headers[name.toLowerCase()] = value);
  return { headers, res: kind === 'express' ? { header: setHeader, setHeader } : { setHeader } };
}

function httpContext(req: object, res: object, type = 'http'): ExecutionContext {
  class Handlers {
    handle() {
      return undefined;
    }
  }
  return {
    getType: () => type,
    getClass: () => Handlers,
    getHandler: () => Handlers.prototype.handle,
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res, getNext: () => undefined }),
  } as unknown as ExecutionContext;
}

describe('BearerTokenGuard outside Fastify', () => {
  // No network is involved: every request below is refused before a token is looked at.
  const guard = new BearerTokenGuard(new TokenVerifier({ issuer: 'https://id.example.com', audience: 'https://api.example.com/orders' }));

  it.each(['express', 'node'] as const)('sets WWW-Authenticate on a %s response and throws the 401 for Nest to send', async (kind) => {
    const { headers, res } = response(kind);
    const err = await guard.canActivate(httpContext({ headers: {} }, res)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpException);
    expect({ status: (err as HttpException).getStatus(), body: (err as HttpException).getResponse() }).toEqual({ status: 401, body: {} });
    expect(headers).toEqual({ 'www-authenticate': 'Bearer realm="https://api.example.com/orders"', 'cache-control': 'no-store' });
  });

  it('answers a malformed header 400 invalid_request', async () => {
    const { headers, res } = response('express');
    const err = (await guard.canActivate(httpContext({ headers: { authorization: 'Bearer' } }, res)).catch((e: unknown) => e)) as HttpException;
    expect(err.getStatus()).toBe(400);
    expect(err.getResponse()).toMatchObject({ error: 'invalid_request' });
    expect(headers['www-authenticate']).toMatch(/^Bearer realm="https:\/\/api.example.com\/orders", error="invalid_request"/);
  });

  it('refuses to guard anything but HTTP', async () => {
    await expect(guard.canActivate(httpContext({ headers: {} }, {}, 'rpc'))).rejects.toThrow('BearerTokenGuard protects HTTP routes only.');
  });
});
