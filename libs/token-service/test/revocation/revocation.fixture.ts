import type { TestApp } from '../support/token-service-app';

import { json, type JsonBody } from '../support/json-body';

export { json, type JsonBody };

export interface Caller {
  client_id: string;
  basic: string;
}

export async function issueToken(app: TestApp, client: Caller): Promise<string> {
  const res = await app.form('/oauth2/token', { grant_type: 'client_credentials' }, { authorization: client.basic });
  const body = await json(res);
  if (res.status !== 200) throw new Error(`token request failed: ${JSON.stringify(body)}`);
  return body.access_token;
}

export const revoke = (app: TestApp, caller: Caller, params: Record<string, string>) => app.form('/oauth2/revoke', params, { authorization: caller.basic });

export async function isActive(app: TestApp, owner: Caller, token: string): Promise<boolean> {
  const res = await app.form('/oauth2/introspect', { token }, { authorization: owner.basic });
  return (await json(res)).active;
}
