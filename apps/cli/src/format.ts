/**
 * What people read: tables for lists, aligned `key: value` lines for one object. Scripts use
 * `--json` instead, which prints the API's own JSON and never goes through here.
 *
 * Everything shown comes from the API, and some of it from whoever registered a client or signed
 * up (a client name, a claim): control and bidirectional-override characters are shown escaped,
 * so that a name cannot move the cursor, recolour the terminal or reorder what is printed.
 */

export interface Column<T = Record<string, unknown>> {
  header: string;
  value: (row: T) => unknown;
  /** Longer cells are cut to this many characters, ending with `…` (ids are never cut). */
  max?: number;
}

// Control characters (C0, DEL, C1), and the bidirectional embeddings, overrides and isolates.
const UNSAFE = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu;

/** One terminal-safe line: unsafe characters as `\u001b`-style escapes (a newline too). */
export function safeText(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Epoch seconds (or milliseconds, for values that large) as an ISO 8601 instant without fractions. */
export function instant(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return undefined;
  const ms = value > 1e12 ? value : value * 1000;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A value as one cell: `-` for nothing, lists comma-separated, objects as compact JSON. */
export function cellText(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-';
  if (typeof value === 'string') return safeText(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map((v) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : cellText(v))).join(', ');
  return safeText(JSON.stringify(value));
}

function cut(text: string, max: number | undefined): string {
  return max !== undefined && text.length > max ? `${text.slice(0, Math.max(1, max - 1))}…` : text;
}

/** A table with a header row, columns two spaces apart, the last one not padded. */
export function formatTable<T>(rows: readonly T[], columns: ReadonlyArray<Column<T>>): string {
  const cells = rows.map((row) => columns.map((c) => cut(cellText(c.value(row)), c.max)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n') + '\n';
}

/** Fields that hold instants (epoch seconds): shown as ISO 8601 to people. */
const INSTANT_FIELDS = new Set(['created_at', 'updated_at', 'client_id_issued_at', 'createdAt', 'revoked_before', 'expires_at']);

/** One object as aligned `key: value` lines, in the API's order; nested values as compact JSON. */
export function formatObject(value: Record<string, unknown>): string {
  const entries = Object.entries(value);
  if (entries.length === 0) return '(empty)\n';
  const width = Math.max(...entries.map(([k]) => safeText(k).length));
  return (
    entries
      .map(([k, v]) => {
        const shown = INSTANT_FIELDS.has(k) && instant(v) ? `${instant(v)}` : cellText(v);
        return `${`${safeText(k)}:`.padEnd(width + 1)} ${shown}`;
      })
      .join('\n') + '\n'
  );
}
