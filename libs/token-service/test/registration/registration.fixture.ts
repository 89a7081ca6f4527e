import type { TestApp } from '../support/token-service-app';

export const json = async (res: Response) => (await res.json()) as Record<string, unknown> & { error: string };

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** Calls the RFC 7591 / 7592 endpoints with a JSON body and an optional bearer token. */
export async function registration(
  app: TestApp,
  method: 'POST' | 'GET' | 'PUT' | 'DELETE',
  path: string,
  options: { body?: unknown; token?: string } = {},
): Promise<JsonResponse> {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : {} };
}

export const register = (app: TestApp, body: unknown, token?: string) => registration(app, 'POST', '/oauth2/register', { body, token });

/** The path of the client configuration endpoint (RFC 7592) named by registration_client_uri. */
export const configurationPath = (app: TestApp, registered: Record<string, unknown>) => {
  const uri = new URL(registered['registration_client_uri'] as string);
  expect(uri.origin).toBe(app.issuer);
  return uri.pathname;
};

export const machineClient = { grant_types: ['client_credentials'], client_name: 'Reporting job' };
export const webClient = { redirect_uris: ['https://app.test/callback'], client_name: 'Web app' };

export function expectError(res: JsonResponse, status: number, error: string) {
  expect({ status: res.status, error: res.body['error'] }).toEqual({ status, error });
  expect(res.headers.get('cache-control')).toBe('no-store');
}
