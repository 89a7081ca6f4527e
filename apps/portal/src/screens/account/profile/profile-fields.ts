import type { HTMLInputAutoCompleteAttribute, HTMLInputTypeAttribute } from 'react';
import type { MessageKey } from '../../../i18n/catalogs';

/**
 * The claims a person may edit on their own profile (OIDC Core §5.1; the auth service's
 * `validateProfileClaims` with `selfService`), grouped as the form shows them. Address parts
 * are `address.<field>`: the claim is one JSON object.
 */
export interface ProfileField {
  name: string;
  label: MessageKey;
  hint?: MessageKey;
  type?: HTMLInputTypeAttribute;
  autoComplete?: HTMLInputAutoCompleteAttribute;
  check?: 'url' | 'birthdate' | 'phone' | 'locale';
}

export const PROFILE_GROUPS: Array<{ legend: MessageKey; fields: ProfileField[] }> = [
  {
    legend: 'account.profile.group.name',
    fields: [
      { name: 'name', label: 'account.profile.name', autoComplete: 'name' },
      { name: 'given_name', label: 'account.profile.given_name', autoComplete: 'given-name' },
      { name: 'middle_name', label: 'account.profile.middle_name', autoComplete: 'additional-name' },
      { name: 'family_name', label: 'account.profile.family_name', autoComplete: 'family-name' },
      { name: 'nickname', label: 'account.profile.nickname', autoComplete: 'nickname' },
      // Not `username`: a password manager would take it for the sign-in name.
      { name: 'preferred_username', label: 'account.profile.preferred_username', autoComplete: 'off' },
    ],
  },
  {
    legend: 'account.profile.group.about',
    fields: [
      { name: 'birthdate', label: 'account.profile.birthdate', hint: 'account.profile.birthdate.hint', autoComplete: 'bday', check: 'birthdate' },
      { name: 'gender', label: 'account.profile.gender', autoComplete: 'sex' },
      { name: 'picture', label: 'account.profile.picture', type: 'url', autoComplete: 'photo', check: 'url' },
      { name: 'website', label: 'account.profile.website', type: 'url', autoComplete: 'url', check: 'url' },
      { name: 'profile', label: 'account.profile.profile', type: 'url', autoComplete: 'url', check: 'url' },
    ],
  },
  {
    legend: 'account.profile.group.contact',
    fields: [{ name: 'phone_number', label: 'account.profile.phone_number', hint: 'account.profile.phone_number.hint', type: 'tel', autoComplete: 'tel', check: 'phone' }],
  },
  {
    legend: 'account.profile.group.address',
    fields: [
      { name: 'address.street_address', label: 'account.profile.street_address', autoComplete: 'street-address' },
      { name: 'address.locality', label: 'account.profile.locality', autoComplete: 'address-level2' },
      { name: 'address.region', label: 'account.profile.region', autoComplete: 'address-level1' },
      { name: 'address.postal_code', label: 'account.profile.postal_code', autoComplete: 'postal-code' },
      { name: 'address.country', label: 'account.profile.country', autoComplete: 'country-name' },
    ],
  },
  {
    legend: 'account.profile.group.preferences',
    fields: [
      { name: 'locale', label: 'account.profile.locale', hint: 'account.profile.locale.hint', autoComplete: 'language', check: 'locale' },
      { name: 'zoneinfo', label: 'account.profile.zoneinfo', hint: 'account.profile.zoneinfo.hint', autoComplete: 'off' },
    ],
  },
];

export const PROFILE_FIELDS = PROFILE_GROUPS.flatMap((g) => g.fields);
const ADDRESS_PREFIX = 'address.';

export type ProfileValues = Record<string, string>;

/** The form's values from the profile's claims (empty for a claim not set). */
export function valuesOf(claims: Record<string, unknown>): ProfileValues {
  const address = isObject(claims['address']) ? claims['address'] : {};
  const values: ProfileValues = {};
  for (const { name } of PROFILE_FIELDS) {
    const value = name.startsWith(ADDRESS_PREFIX) ? address[name.slice(ADDRESS_PREFIX.length)] : claims[name];
    values[name] = typeof value === 'string' ? value : '';
  }
  return values;
}

/**
 * The PATCH body's claims: only what changed, `null` for a field emptied (the claim goes). The
 * address is one claim: sent whole, keeping parts this form does not show (`formatted`).
 */
export function changeOf(claims: Record<string, unknown>, before: ProfileValues, after: ProfileValues): Record<string, unknown> {
  const change: Record<string, unknown> = {};
  let addressChanged = false;
  for (const { name } of PROFILE_FIELDS) {
    if ((after[name] ?? '').trim() === (before[name] ?? '').trim()) continue;
    if (name.startsWith(ADDRESS_PREFIX)) addressChanged = true;
    else change[name] = after[name].trim() || null;
  }
  if (addressChanged) {
    const address: Record<string, unknown> = { ...(isObject(claims['address']) ? claims['address'] : {}) };
    for (const { name } of PROFILE_FIELDS.filter((f) => f.name.startsWith(ADDRESS_PREFIX))) {
      const part = name.slice(ADDRESS_PREFIX.length);
      const value = after[name].trim();
      if (value) address[part] = value;
      else delete address[part];
    }
    change['address'] = Object.keys(address).length ? address : null;
  }
  return change;
}

/** The same checks as the server's, so that a mistake shows at once next to its field. */
export function problemOf(field: ProfileField, value: string): 'url' | 'birthdate' | 'phone' | 'locale' | undefined {
  const v = value.trim();
  if (!v || !field.check) return undefined;
  const ok = {
    url: /^https?:\/\/\S+$/,
    birthdate: /^(\d{4}|0000)(-\d{2}-\d{2})?$/,
    phone: /^\+?[0-9 ().-]{3,32}(;ext=\d+)?$/,
    locale: /^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$/,
  }[field.check].test(v);
  return ok ? undefined : field.check;
}

/**
 * The field a server refusal is about: its descriptions start with the quoted claim
 * (`"website" must be an http(s) URL.`, `"address.country" …`).
 */
export function fieldOfProblem(description: string): string | undefined {
  const quoted = /^"([a-z_]+(?:\.[a-z_]+)?)"/.exec(description)?.[1];
  return quoted && PROFILE_FIELDS.some((f) => f.name === quoted) ? quoted : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
