import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { withQuery, type AdminApi } from './admin-api';
import { instantOption, jsonObject, limitOption, listOption, stringOption, type CommandLine, type ParsedCommand } from './args';
import { CliError, UsageError } from './errors';
import { instant, type Column } from './format';
import type { InternalApi } from './internal-api';

/** What a command needs: its APIs (made when first asked for), where to write, and time. */
export interface Context {
  admin(): AdminApi;
  internal(): InternalApi;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  sleep(ms: number): Promise<void>;
  now(): number;
}

type Row = Record<string, unknown>;

/** A command's result: `value` is the API's JSON (what `--json` prints); the rest is for people. */
export type Output = (
  | { kind: 'object'; value: unknown }
  | { kind: 'table'; value: unknown; rows: Row[]; columns: Column[]; empty: string }
  /** Already written (the audit export). */
  | { kind: 'written' }
) & {
  /** A line for people on stderr, after the result. */
  note?: string;
  exitCode?: number;
};

export interface Command extends CommandLine {
  usage: string;
  summary: string;
  /** On the internal API as the operator, not on the admin API. */
  internal?: boolean;
  run(ctx: Context, input: ParsedCommand): Promise<Output>;
}

const CLIENT_COLUMNS: Column[] = [
  { header: 'CLIENT ID', value: (c) => c['client_id'] },
  { header: 'NAME', value: (c) => c['client_name'], max: 40 },
  { header: 'AUTH', value: (c) => c['token_endpoint_auth_method'] },
  { header: 'GRANT TYPES', value: (c) => c['grant_types'] },
  { header: 'STATE', value: (c) => (c['disabled'] ? 'disabled' : 'enabled') },
  { header: 'ADMIN', value: (c) => c['admin'] === true },
];

const USER_COLUMNS: Column[] = [
  { header: 'SUB', value: (u) => u['sub'] },
  { header: 'EMAIL', value: (u) => u['email'] },
  { header: 'STATUS', value: (u) => u['status'] },
  { header: 'ROLES', value: (u) => u['roles'] },
  { header: 'VERIFIED', value: (u) => u['email_verified'] },
  { header: 'CREATED', value: (u) => instant(u['created_at']) },
];

const KEY_COLUMNS: Column[] = [
  { header: 'KID', value: (k) => k['kid'] },
  { header: 'ALG', value: (k) => k['alg'] },
  { header: 'STATE', value: (k) => k['state'] },
  { header: 'CREATED', value: (k) => instant(k['createdAt'] ?? k['created_at']) },
];

const ROTATED_COLUMNS: Column[] = [
  { header: 'ALG', value: (k) => k['alg'] },
  { header: 'NEW KID', value: (k) => k['kid'] },
  { header: 'PREVIOUS KID', value: (k) => k['previousKid'] },
];

const RESOURCE_SERVER_COLUMNS: Column[] = [
  { header: 'IDENTIFIER', value: (r) => r['identifier'] },
  { header: 'NAME', value: (r) => r['name'], max: 40 },
  { header: 'SCOPES', value: (r) => r['scopes'] },
];

const USER_STATUSES = ['active', 'locked', 'disabled'];

/** How long `clients revoke --wait` waits by default, and how often it asks. */
export const REVOCATION_WAIT_SECONDS = 30;
const POLL_FIRST_MS = 200;
const POLL_MAX_MS = 2000;

const object = (value: unknown, note?: string): Output => ({ kind: 'object', value, ...(note ? { note } : {}) });
const table = (value: unknown, rows: Row[], columns: Column[], empty: string): Output => ({ kind: 'table', value, rows, columns, empty });
const id = (value: string) => encodeURIComponent(value);
const SECRET_NOTE = 'The client_secret is shown in this answer only: keep it now.';
const secretNote = (value: unknown) => (typeof value === 'object' && value !== null && 'client_secret' in value ? SECRET_NOTE : undefined);

/** The operator's call to the internal API: the body, or the API's own error description. */
async function internalCall(api: InternalApi, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await api.call(method, path, body);
  if (res.status >= 400) {
    const err = res.body as { error?: string; error_description?: string } | undefined;
    throw new CliError(err?.error_description ? `${err.error_description.replace(/\s+/g, ' ')} (${err.error})` : `HTTP ${res.status}`);
  }
  return res.body;
}

/** Polls a revocation until the token service completed it, for at most `seconds`. */
async function waitForRevocation(ctx: Context, revocation: Row, seconds: number): Promise<Output> {
  const deadline = ctx.now() + seconds * 1000;
  let current = revocation;
  let interval = POLL_FIRST_MS;
  while (current['status'] !== 'completed') {
    const left = deadline - ctx.now();
    if (left <= 0) {
      return {
        ...object(current),
        exitCode: 1,
        note: `The revocation ${String(current['id'])} is still ${String(current['status'])} after ${seconds} s; \`npm run tessera -- revocations show ${String(current['id'])}\` tells when it completes.`,
      };
    }
    await ctx.sleep(Math.min(interval, left));
    interval = Math.min(POLL_MAX_MS, Math.round(interval * 1.5));
    current = await ctx.admin().call<Row>('GET', `/revocations/${id(String(current['id']))}`);
  }
  return object(current);
}

/** Streams the NDJSON export to stdout, or into a 0600 file that appears only once complete. */
async function exportAudit(ctx: Context, path: string, out: string | undefined): Promise<Output> {
  const res = await ctx.admin().stream(path);
  if (!res.body) throw new CliError('The audit export answered no body.');
  let entries = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      for (const byte of chunk) if (byte === 0x0a) entries++;
      done(null, chunk);
    },
  });
  const source = Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>);
  if (out === undefined) {
    await pipeline(source, counter, ctx.stdout, { end: false });
    return { kind: 'written' };
  }
  const partial = `${out}.${process.pid}.partial`;
  try {
    await pipeline(source, counter, createWriteStream(partial, { mode: 0o600, flags: 'wx' }));
    await rename(partial, out);
  } catch (err) {
    await rm(partial, { force: true });
    if (err instanceof CliError) throw err;
    throw new CliError(`The audit export to ${out} failed: ${(err as Error).message}`);
  }
  return { kind: 'written', note: `Wrote ${entries} audit ${entries === 1 ? 'entry' : 'entries'} to ${out}.` };
}

export const COMMANDS: readonly Command[] = [
  {
    name: 'clients create',
    args: ['[metadata]'],
    usage: "clients create '<json: RFC 7591 metadata and policy>'",
    summary: 'Register a client; its secret is in this answer only.',
    async run(ctx, { positionals: [metadata] }) {
      const created = await ctx.admin().call('POST', '/clients', jsonObject(metadata ?? '{}', 'The client metadata'));
      return object(created, secretNote(created));
    },
  },
  {
    name: 'clients list',
    options: { q: { type: 'string' }, limit: { type: 'string' } },
    usage: 'clients list [--q <id or name>] [--limit <n>]',
    summary: 'Clients in id order (all of them unless --limit).',
    async run(ctx, { values }) {
      const items = await ctx.admin().list<Row>('/clients', { q: stringOption(values, 'q') }, limitOption(values));
      return table(items, items, CLIENT_COLUMNS, 'No clients.');
    },
  },
  {
    name: 'clients show',
    args: ['<client_id>'],
    usage: 'clients show <client_id>',
    summary: 'One client, with its policy.',
    run: async (ctx, { positionals: [clientId] }) => object(await ctx.admin().call('GET', `/clients/${id(clientId)}`)),
  },
  {
    name: 'clients rotate-secret',
    args: ['<client_id>'],
    usage: 'clients rotate-secret <client_id>',
    summary: 'A new secret, shown once; the old one stops working at once.',
    async run(ctx, { positionals: [clientId] }) {
      const rotated = await ctx.admin().call('POST', `/clients/${id(clientId)}/secret`);
      return object(rotated, secretNote(rotated));
    },
  },
  {
    name: 'clients revoke',
    args: ['<client_id>'],
    options: { disable: { type: 'boolean' }, wait: { type: 'boolean' }, timeout: { type: 'string' } },
    usage: `clients revoke <client_id> [--disable] [--wait [--timeout <seconds, default ${REVOCATION_WAIT_SECONDS}>]]`,
    summary: "Revoke the client's access everywhere (grants, tokens, sessions); --disable also disables it, --wait waits until done.",
    async run(ctx, { positionals: [clientId], values }) {
      const timeout = stringOption(values, 'timeout');
      if (timeout !== undefined && (!values['wait'] || !/^\d{1,5}$/.test(timeout) || Number(timeout) < 1)) {
        throw new UsageError('--timeout goes with --wait and is a whole number of seconds from 1.');
      }
      const revocation = await ctx.admin().call<Row>('POST', `/clients/${id(clientId)}/revocations`, values['disable'] ? { disable_client: true } : {});
      if (!values['wait']) return object(revocation);
      return waitForRevocation(ctx, revocation, timeout === undefined ? REVOCATION_WAIT_SECONDS : Number(timeout));
    },
  },
  {
    name: 'revocations show',
    args: ['<revocation_id>'],
    usage: 'revocations show <revocation_id>',
    summary: 'A revocation: pending, or completed with the grants and sessions it ended.',
    run: async (ctx, { positionals: [revocationId] }) => object(await ctx.admin().call('GET', `/revocations/${id(revocationId)}`)),
  },
  {
    name: 'keys list',
    usage: 'keys list',
    summary: 'Signing keys (public parts and state only).',
    async run(ctx) {
      const keys = await ctx.admin().call<Row[]>('GET', '/keys');
      return table(keys, Array.isArray(keys) ? keys : [], KEY_COLUMNS, 'No signing keys.');
    },
  },
  {
    name: 'keys rotate',
    args: ['[alg]'],
    usage: 'keys rotate [ES256|RS256|PS256|EdDSA]',
    summary: "A new signing key now, for one algorithm or each; it is published before it signs.",
    async run(ctx, { positionals: [alg] }) {
      const result = await ctx.admin().call<{ rotated?: Row[] }>('POST', '/keys/rotate', alg ? { alg } : {});
      return table(result, Array.isArray(result?.rotated) ? result.rotated : [], ROTATED_COLUMNS, 'No key rotated.');
    },
  },
  {
    name: 'users create',
    options: { email: { type: 'string' }, password: { type: 'string' }, claims: { type: 'string' }, role: { type: 'string', multiple: true }, unverified: { type: 'boolean' } },
    usage: "users create --email <email> [--password <password>] [--claims '<json of OIDC claims>'] [--role admin]... [--unverified]",
    summary: 'Create a user (email verified unless --unverified).',
    async run(ctx, { values }) {
      const email = stringOption(values, 'email');
      if (!email) throw new UsageError('users create needs --email.');
      const claims = stringOption(values, 'claims');
      const roles = listOption(values, 'role');
      const body = {
        email,
        ...(stringOption(values, 'password') !== undefined ? { password: stringOption(values, 'password') } : {}),
        ...(claims !== undefined ? { claims: jsonObject(claims, '--claims') } : {}),
        ...(roles.length ? { roles } : {}),
        ...(values['unverified'] ? { email_verified: false } : {}),
      };
      return object(await ctx.admin().call('POST', '/users', body));
    },
  },
  {
    name: 'users list',
    options: { q: { type: 'string' }, status: { type: 'string' }, limit: { type: 'string' } },
    usage: 'users list [--q <email prefix or sub>] [--status active|locked|disabled] [--limit <n>]',
    summary: 'Users, newest first (all of them unless --limit).',
    async run(ctx, { values }) {
      const status = stringOption(values, 'status');
      if (status !== undefined && !USER_STATUSES.includes(status)) throw new UsageError(`--status must be one of ${USER_STATUSES.join(', ')} (got ${status}).`);
      const items = await ctx.admin().list<Row>('/users', { q: stringOption(values, 'q'), status }, limitOption(values));
      return table(items, items, USER_COLUMNS, 'No users.');
    },
  },
  {
    name: 'users show',
    args: ['<sub>'],
    usage: 'users show <sub>',
    summary: 'One user (never a password hash).',
    run: async (ctx, { positionals: [sub] }) => object(await ctx.admin().call('GET', `/users/${id(sub)}`)),
  },
  {
    name: 'users lock',
    args: ['<sub>'],
    usage: 'users lock <sub>',
    summary: 'Lock an account: its sessions end and it cannot sign in.',
    run: async (ctx, { positionals: [sub] }) => object(await ctx.admin().call('PATCH', `/users/${id(sub)}`, { status: 'locked' })),
  },
  {
    name: 'users unlock',
    args: ['<sub>'],
    usage: 'users unlock <sub>',
    summary: 'Make a locked account active again.',
    run: async (ctx, { positionals: [sub] }) => object(await ctx.admin().call('PATCH', `/users/${id(sub)}`, { status: 'active' })),
  },
  {
    name: 'audit export',
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      type: { type: 'string', multiple: true },
      actor: { type: 'string' },
      subject: { type: 'string' },
      client: { type: 'string' },
      out: { type: 'string' },
    },
    usage: 'audit export [--since <ISO 8601 | epoch ms | 24h, 7d…>] [--until …] [--type <name or family.*>]... [--actor <id>] [--subject <sub>] [--client <client_id>] [--out <file>]',
    summary: 'The audit log as NDJSON, newest first, to stdout or into a new 0600 file.',
    async run(ctx, { values }) {
      const query = {
        since: instantOption(stringOption(values, 'since'), ctx.now()),
        until: instantOption(stringOption(values, 'until'), ctx.now()),
        type: listOption(values, 'type').join(',') || undefined,
        actor: stringOption(values, 'actor'),
        subject: stringOption(values, 'subject'),
        client_id: stringOption(values, 'client'),
      };
      return exportAudit(ctx, withQuery('/audit/export', query), stringOption(values, 'out'));
    },
  },
  {
    name: 'resource-servers create',
    args: ['<json>'],
    internal: true,
    usage: "resource-servers create '<json: identifier, name, scopes>'",
    summary: 'Register a resource server (an API that may introspect its tokens).',
    run: async (ctx, { positionals: [body] }) => object(await internalCall(ctx.internal(), 'POST', '/internal/resource-servers', jsonObject(body, 'The resource server'))),
  },
  {
    name: 'resource-servers list',
    internal: true,
    usage: 'resource-servers list',
    summary: 'Registered resource servers.',
    async run(ctx) {
      const items = await internalCall(ctx.internal(), 'GET', '/internal/resource-servers');
      return table(items, Array.isArray(items) ? (items as Row[]) : [], RESOURCE_SERVER_COLUMNS, 'No resource servers.');
    },
  },
];
