import { isDeepStrictEqual } from 'node:util';
import { ConflictError, InvalidClientMetadataError } from '@tessera/oauth-errors';
import { CLI_CLIENT_ID, PORTAL_CLIENT_ID } from '@tessera/runtime';

/**
 * The clients the platform registers itself at start: the portal's (PortalBootstrapService), which
 * every person signs in to the portal and every administrator to the admin console with, and
 * `tessera-cli` (AdminBootstrapService), the admin client of the CLI and automation. Each start puts
 * back their fixed settings. ClientsService refuses, whoever calls it (the internal API for the
 * admin API and the operator, RFC 7592), to delete or disable them, to rotate a secret, and to
 * change anything but BUILT_IN_EDITABLE_FIELDS; "revoke all access" is allowed (incident response:
 * everyone signs in again). Their policy view says `built_in: true`.
 */
export const BUILT_IN_CLIENT_IDS: readonly string[] = [PORTAL_CLIENT_ID, CLI_CLIENT_ID];

export const isBuiltInClient = (clientId: string) => BUILT_IN_CLIENT_IDS.includes(clientId);

/**
 * What an administrator may change on a built-in client (metadata names, as the policy view shows
 * them): names and display links, token lifetimes within the parser's bounds (admin-scoped tokens
 * stay capped at ADMIN_TOKEN_MAX_TTL whatever is set), and what a sign-in asks for (MFA, max age).
 * None of it lets a token go anywhere else, to anyone else, or for longer than the caps.
 */
export const BUILT_IN_EDITABLE_FIELDS = [
  'client_name',
  'client_uri',
  'logo_uri',
  'tos_uri',
  'policy_uri',
  'access_token_ttl',
  'refresh_token_ttl',
  'mfa_policy',
  'default_acr_values',
  'default_max_age',
  'require_auth_time',
] as const;

/** Fields of the policy view that are no metadata (ids, times, state, derived values): never compared. */
const NOT_METADATA = new Set(['client_id', 'client_id_issued_at', 'client_secret_expires_at', 'dynamic', 'revoked_before', 'disabled', 'built_in', 'scope']);

/**
 * The metadata fields (policy-view names) whose values differ between two policy views of the
 * same client, leaving out the editable ones and what is no metadata: what an edit would change
 * that only the platform may set, or what a start puts back.
 */
export function lockedChanges(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const editable = new Set<string>(BUILT_IN_EDITABLE_FIELDS);
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return fields.filter((f) => !editable.has(f) && !NOT_METADATA.has(f) && !isDeepStrictEqual(before[f], after[f]));
}

/** The editable fields of a client's policy view, as metadata to apply again. */
export function editableMetadata(view: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(BUILT_IN_EDITABLE_FIELDS.filter((f) => view[f] !== undefined).map((f) => [f, view[f]]));
}

const ROLES: Record<string, string> = {
  [PORTAL_CLIENT_ID]: 'the one people sign in to the portal and administrators to the admin console with',
  [CLI_CLIENT_ID]: 'the admin client of the CLI and automation',
};

const builtIn = (clientId: string) => `"${clientId}" is a built-in client (${ROLES[clientId] ?? 'the platform\'s own'})`;

const RE_APPLIED = 'The platform registers it and sets its settings again at every start.';

/** A new CLI secret is the operator's: the same words wherever they are refused. */
const CLI_SECRET_HOW = 'set TESSERA_CLI_SECRET (or replace cli.secret in the data directory) and restart the token service';

/** The refusals (409 conflict: the request is fine, the client is not one it may apply to). */
export const refuseBuiltIn = {
  delete: (clientId: string) => new ConflictError(`${builtIn(clientId)}: it cannot be deleted. ${RE_APPLIED}`),

  disable: (clientId: string) =>
    new ConflictError(
      clientId === CLI_CLIENT_ID
        ? `${builtIn(clientId)}: it cannot be disabled. If its secret leaked, ${CLI_SECRET_HOW}, then revoke its access.`
        : `${builtIn(clientId)}: it cannot be disabled, as that would lock every administrator out of the console. To end every sign-in made with it, revoke its access (without disabling it).`,
    ),

  rotateSecret: (clientId: string) =>
    new ConflictError(
      clientId === CLI_CLIENT_ID
        ? `The secret of "${clientId}" cannot be rotated here: the platform sets it at every start (from TESSERA_CLI_SECRET or cli.secret), so a secret made here would break the CLI now and be replaced at the next restart. To change it, ${CLI_SECRET_HOW}.`
        : `${builtIn(clientId)}: it has no secret to rotate.`,
    ),

  edit: (clientId: string, fields: string[]) =>
    new ConflictError(
      `${builtIn(clientId)}: only ${BUILT_IN_EDITABLE_FIELDS.slice(0, -1).join(', ')} and ${BUILT_IN_EDITABLE_FIELDS.at(-1)} can be changed, not ${fields.join(', ')}. ${RE_APPLIED}`,
    ),

  create: (clientId: string) => new InvalidClientMetadataError(`client_id "${clientId}" is reserved for a built-in client of the platform.`),
};
