import { useCallback, useMemo } from 'react';
import { useI18n } from '../../../i18n/i18n';

/**
 * An instant as the admin API hands it over: epoch seconds (what the token and authentication
 * services keep), or ISO 8601 (the admin API's own audit log, revocations, dead letters).
 */
export type Instant = number | string | null | undefined;

export function toDate(value: Instant): Date | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const date = typeof value === 'string' ? new Date(value) : new Date(value * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Dates in the reader's language (the portal's locale, not the browser's). */
export function useFormatDate(): (value: Instant) => string {
  const { locale } = useI18n();
  const format = useMemo(() => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }), [locale]);
  return useCallback((value: Instant) => {
    const date = toDate(value);
    return date ? format.format(date) : '—';
  }, [format]);
}

/** A machine-readable `<time>` with the localised text. */
export function Time({ value }: { value: Instant }) {
  const format = useFormatDate();
  const date = toDate(value);
  if (!date) return <span className="muted">—</span>;
  return <time dateTime={date.toISOString()}>{format(value)}</time>;
}
