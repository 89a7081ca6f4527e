import { LOCALES, type Locale } from './catalogs';

/**
 * The first supported language among the preferences, most preferred first: an OIDC request's
 * `ui_locales` (space-separated BCP 47 tags), then the browser's. `fr-CA` matches `fr`.
 */
export function pickLocale(...preferences: (string | readonly string[] | null | undefined)[]): Locale {
  for (const preference of preferences) {
    const tags = typeof preference === 'string' ? preference.split(/\s+/) : (preference ?? []);
    for (const tag of tags) {
      const primary = tag.trim().toLowerCase().split('-')[0];
      const found = LOCALES.find((l) => l === primary);
      if (found) return found;
    }
  }
  return 'en';
}

/** `{name}` placeholders filled from vars; an unknown placeholder stays visible rather than vanishing. */
export function interpolate(template: string, vars?: Record<string, string | number>): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}
