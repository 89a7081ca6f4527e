import { useMemo } from 'react';
import { useI18n } from '../../i18n/i18n';

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Dates, relative times and durations in the page's language (times are epoch seconds). */
export function useFormat() {
  const { locale } = useI18n();
  return useMemo(() => {
    const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    const date = new Intl.DateTimeFormat(locale, { dateStyle: 'long' });
    const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
    const list = new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' });
    const unit = (u: 'minute' | 'hour' | 'day') => new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: 'long' });
    return {
      dateTime: (seconds: number) => dateTime.format(seconds * 1000),
      date: (seconds: number) => date.format(seconds * 1000),
      /** For `<time dateTime>`. */
      iso: (seconds: number) => new Date(seconds * 1000).toISOString(),
      /** "5 minutes ago", "yesterday", "in 3 days". */
      relative: (seconds: number, now = Date.now() / 1000) => {
        const diff = seconds - now;
        const abs = Math.abs(diff);
        if (abs < 45) return relative.format(0, 'second');
        if (abs < 45 * MINUTE) return relative.format(Math.round(diff / MINUTE), 'minute');
        if (abs < 22 * HOUR) return relative.format(Math.round(diff / HOUR), 'hour');
        if (abs < 26 * DAY) return relative.format(Math.round(diff / DAY), 'day');
        if (abs < 320 * DAY) return relative.format(Math.round(diff / (30 * DAY)), 'month');
        return relative.format(Math.round(diff / (365 * DAY)), 'year');
      },
      /** "5 minutes", "2 hours". */
      duration: (seconds: number) =>
        seconds >= DAY && seconds % DAY === 0
          ? unit('day').format(seconds / DAY)
          : seconds >= HOUR && seconds % HOUR === 0
            ? unit('hour').format(seconds / HOUR)
            : unit('minute').format(Math.max(1, Math.round(seconds / MINUTE))),
      list: (items: string[]) => list.format(items),
    };
  }, [locale]);
}

export type Format = ReturnType<typeof useFormat>;
