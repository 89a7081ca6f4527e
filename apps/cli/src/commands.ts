import { parseArgs } from 'node:util';
import { CliError, type InternalApi } from './internal-api';

export interface Command {
  usage: string;
  run(api: InternalApi, args: string[]): Promise<unknown>;
}

const json = (value: string | undefined, what: string): unknown => {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    throw new CliError(`${what} must be JSON: ${value}`, 2);
  }
};

/** Calls the API and returns the body, or throws the API's own error description. */
async function expect(api: InternalApi, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await api.call(method, path, body);
  if (res.status >= 400) {
    const err = res.body as { error?: string; error_description?: string } | undefined;
    throw new CliError(err?.error_description ? `${err.error}: ${err.error_description}` : `HTTP ${res.status}`);
  }
  return res.body ?? { status: res.status };
}

export const COMMANDS: Record<string, Command> = {
  'users create': {
    usage: "users create --email <email> [--password <password>] [--claims '<json of OIDC claims>'] [--role admin]... [--unverified]",
    async run(api, args) {
      const { values } = parseArgs({
        args,
        options: {
          email: { type: 'string' },
          password: { type: 'string' },
          claims: { type: 'string' },
          role: { type: 'string', multiple: true },
          unverified: { type: 'boolean' },
        },
        strict: true,
      });
      if (!values.email) throw new CliError('--email is required.', 2);
      return expect(api, 'POST', '/internal/users', {
        email: values.email,
        password: values.password,
        claims: json(values.claims, '--claims'),
        roles: values.role,
        email_verified: !values.unverified,
      });
    },
  },
  'users show': {
    usage: 'users show <sub>',
    run: (api, [sub]) => {
      if (!sub) throw new CliError('users show needs the user id (sub).', 2);
      return expect(api, 'GET', `/internal/users/${encodeURIComponent(sub)}`);
    },
  },
  'clients create': {
    usage: "clients create '<json client metadata>'",
    run: (api, [metadata]) => expect(api, 'POST', '/internal/clients', json(metadata ?? '{}', 'the client metadata')),
  },
  'clients list': { usage: 'clients list', run: (api) => expect(api, 'GET', '/internal/clients') },
  'clients revoke': {
    usage: 'clients revoke <client_id>',
    run: (api, [clientId]) => {
      if (!clientId) throw new CliError('clients revoke needs a client_id.', 2);
      return expect(api, 'POST', `/internal/clients/${encodeURIComponent(clientId)}/revoke`);
    },
  },
  'resource-servers create': {
    usage: "resource-servers create '<json>'",
    run: (api, [body]) => expect(api, 'POST', '/internal/resource-servers', json(body ?? '{}', 'the resource server')),
  },
  'resource-servers list': { usage: 'resource-servers list', run: (api) => expect(api, 'GET', '/internal/resource-servers') },
  'keys list': { usage: 'keys list', run: (api) => expect(api, 'GET', '/internal/keys') },
  'keys rotate': {
    usage: 'keys rotate [ES256|RS256|PS256|EdDSA]',
    run: (api, [alg]) => expect(api, 'POST', '/internal/keys/rotate', alg ? { alg } : {}),
  },
};
