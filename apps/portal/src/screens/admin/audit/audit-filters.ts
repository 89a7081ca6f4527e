/** The audit log's filters as the URL keeps them (times as the reader's local date-time). */
export interface AuditFilters {
  actor: string;
  subject: string;
  client_id: string;
  type: string;
  since: string;
  until: string;
}

export const FILTER_NAMES = ['actor', 'subject', 'client_id', 'type', 'since', 'until'] as const;

export const filtersFrom = (params: URLSearchParams): AuditFilters =>
  Object.fromEntries(FILTER_NAMES.map((name) => [name, params.get(name) ?? ''])) as unknown as AuditFilters;

/** A `datetime-local` value (the reader's time zone) as the ISO 8601 instant the API takes. */
export function isoFromLocal(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The query the API takes: empty filters left out, times as instants. */
export const apiQuery = (f: AuditFilters): Record<string, string | undefined> => ({
  actor: f.actor.trim() || undefined,
  subject: f.subject.trim() || undefined,
  client_id: f.client_id.trim() || undefined,
  type: f.type.replace(/\s+/g, '') || undefined,
  since: isoFromLocal(f.since),
  until: isoFromLocal(f.until),
});
