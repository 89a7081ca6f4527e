import { z } from 'zod';
import { FlowError } from '../http/flow-error';
import { validateProfileClaims } from '../users/profile-claims';
import type { TokenEndpointAuthMethod } from './entities/upstream-idp.entity';

/** A provider's id is a slug: it is part of its redirect URI and of the login page's links. */
export const IDP_ID = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** RFC 6749 §3.3 scope-token: %x21 / %x23-5B / %x5D-7E. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;

/** Claims whose local meaning is not a profile claim: they become the user's email address. */
export const EMAIL_TARGETS = new Set(['email', 'email_verified']);

/** Without a mapping, the standard claims (OIDC Core §5.1) keep their names. */
export const DEFAULT_CLAIM_MAPPING: Readonly<Record<string, string>> = Object.fromEntries(
  [
    'name',
    'given_name',
    'family_name',
    'middle_name',
    'nickname',
    'preferred_username',
    'profile',
    'picture',
    'website',
    'gender',
    'birthdate',
    'zoneinfo',
    'locale',
    'email',
    'email_verified',
  ].map((c) => [c, c]),
);

export const DEFAULT_SCOPES = ['openid', 'profile', 'email'];

/** What an admin sends to create a provider (the API's snake_case, validated). */
export interface IdpInput {
  id: string;
  display_name: string;
  issuer: string;
  client_id: string;
  client_secret: string;
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  scopes: string[];
  claim_mapping: Record<string, string>;
  trust_email_verified: boolean;
  enabled: boolean;
}

export type IdpChange = Partial<Omit<IdpInput, 'id'>>;

const printable = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

function issuerSchema(allowHttp: boolean) {
  return z
    .string({ error: 'must be a string' })
    .max(2048, 'must be at most 2048 characters')
    .superRefine((value, ctx) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be an absolute URL (the provider\'s Issuer Identifier)' });
        return;
      }
      // OIDC Discovery §2 / RFC 8414 §2: https, no query, no fragment. http only where tests allow loopback.
      if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) ctx.addIssue({ code: 'custom', message: 'must be an https URL' });
      if (url.search || value.includes('?')) ctx.addIssue({ code: 'custom', message: 'must not have a query' });
      if (url.hash || value.includes('#')) ctx.addIssue({ code: 'custom', message: 'must not have a fragment' });
      if (url.username || url.password) ctx.addIssue({ code: 'custom', message: 'must not contain credentials' });
    });
}

const scopesSchema = z
  .array(z.string().regex(SCOPE_TOKEN, 'must be a scope token (RFC 6749 section 3.3)'), { error: 'must be an array of scopes' })
  .min(1)
  .max(20, 'may list at most 20 scopes')
  .refine((s) => s.includes('openid'), 'must include "openid"')
  .refine((s) => new Set(s).size === s.length, 'must not repeat a scope');

const claimMappingSchema = z
  .record(printable(128), z.string({ error: 'each local claim must be a string' }), { error: 'must be an object of upstream claim → local claim' })
  .superRefine((mapping, ctx) => {
    const entries = Object.entries(mapping);
    if (entries.length > 50) ctx.addIssue({ code: 'custom', message: 'may map at most 50 claims' });
    const seen = new Map<string, string>();
    for (const [upstream, local] of entries) {
      if (!EMAIL_TARGETS.has(local)) {
        try {
          // The same naming rules as a profile change (a null value checks the name only).
          validateProfileClaims({ [local]: null });
        } catch (err) {
          ctx.addIssue({ code: 'custom', path: [upstream], message: `"${local}" cannot be set from a provider: ${(err as FlowError).description}` });
          continue;
        }
      }
      const other = seen.get(local);
      if (other !== undefined) ctx.addIssue({ code: 'custom', path: [upstream], message: `"${other}" and "${upstream}" both map to "${local}"` });
      seen.set(local, upstream);
    }
  });

function fields(allowHttp: boolean) {
  return {
    display_name: printable(100),
    issuer: issuerSchema(allowHttp),
    client_id: printable(255),
    client_secret: printable(1024),
    token_endpoint_auth_method: z.enum(['client_secret_basic', 'client_secret_post'], { error: 'must be client_secret_basic or client_secret_post' }),
    scopes: scopesSchema,
    claim_mapping: claimMappingSchema,
    trust_email_verified: z.boolean({ error: 'must be true or false' }),
    enabled: z.boolean({ error: 'must be true or false' }),
  };
}

/** Checks a new provider; everything wrong is listed in one 400. */
export function parseNewIdp(body: unknown, allowHttp: boolean): IdpInput {
  const f = fields(allowHttp);
  const schema = z.strictObject({
    id: z.string({ error: 'must be a string' }).regex(IDP_ID, 'must be a slug: lower-case letters, digits and inner hyphens, at most 64 characters'),
    display_name: f.display_name,
    issuer: f.issuer,
    client_id: f.client_id,
    client_secret: f.client_secret,
    token_endpoint_auth_method: f.token_endpoint_auth_method.default('client_secret_basic'),
    scopes: f.scopes.default(DEFAULT_SCOPES),
    claim_mapping: f.claim_mapping.default({ ...DEFAULT_CLAIM_MAPPING }),
    trust_email_verified: f.trust_email_verified.default(false),
    enabled: f.enabled.default(true),
  });
  return parse(schema, body);
}

/** Checks a change: any field but the id (which is part of the registered redirect URI). */
export function parseIdpChange(body: unknown, allowHttp: boolean): IdpChange {
  if (isObject(body) && 'id' in body) throw new FlowError('invalid_request', 'id cannot be changed (it is part of the redirect URI registered at the provider).');
  const schema = z.strictObject(fields(allowHttp)).partial();
  const change = parse(schema, body);
  if (!Object.keys(change).length) throw new FlowError('invalid_request', 'Send at least one field to change.');
  return change;
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  if (!isObject(body)) throw new FlowError('invalid_request', 'The body must be a JSON object.');
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    const path = issue.path.map(String).join('.');
    const missing = issue.code === 'invalid_type' && issue.path.reduce<unknown>((v, key) => (isObject(v) || Array.isArray(v) ? (v as Record<PropertyKey, unknown>)[key] : undefined), body) === undefined;
    const message = missing ? 'is required' : issue.message;
    return path ? `${path}: ${message}` : message;
  });
  throw new FlowError('invalid_request', `Invalid upstream provider: ${problems.join('; ')}.`, { problems });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
