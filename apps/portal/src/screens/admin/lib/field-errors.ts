import { ApiError } from '../../../api/api-error';

/**
 * Per-field messages of a refused create or edit. The problem's own `errors` come first; the
 * services behind the admin API mostly say what is wrong in `detail` instead, naming the field
 * first ("redirect_uri \"…\" must use https", "Invalid upstream provider: issuer: must be an https
 * URL; client_id: is required."), so the field is read from there, through `aliases` for the
 * singular names the messages use. Returns only fields the form shows: anything else stays for
 * the general error alert.
 */
export function fieldErrorsOf(error: unknown, fields: readonly string[], aliases: Record<string, string> = {}): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const known = new Set(fields);
  const out: Record<string, string> = {};
  const put = (name: string, message: string) => {
    const field = aliases[name] ?? name;
    if (known.has(field) && !(field in out)) out[field] = message;
  };
  for (const [field, message] of Object.entries(error.fieldErrors)) put(field.split(/[.[]/)[0] ?? field, message);
  const parts = error.description
    .replace(/\.$/, '')
    .split('; ')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const part of parts) {
    // "field: message", possibly after a preamble ("Invalid upstream provider: issuer: …").
    const labelled = /^(?:.*?: )?([a-z][a-z0-9_]*)(?:\.\S+)?: (.+)$/.exec(part);
    if (labelled?.[1] && labelled[2]) {
      put(labelled[1], sentence(labelled[2]));
      continue;
    }
    // "field must be …", "field \"value\" is not …": the whole sentence belongs to the field.
    const leading = /^([a-z][a-z0-9_]*)\b/.exec(part);
    if (leading?.[1]) put(leading[1], period(part));
  }
  // An invalid redirect URI names itself in its own error code, whatever its words.
  const reason = error.body['reason'];
  if (typeof reason === 'string' && Object.keys(out).length === 0 && error.description) put(reason, period(error.description));
  return out;
}

/** A sentence that starts with a field's name keeps it as written (`grant_type "x" is …`). */
const period = (text: string) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

/** "must be an https URL" on its own, next to its field: "Must be an https URL." */
const sentence = (text: string) => period(text.trim().charAt(0).toUpperCase() + text.trim().slice(1));
