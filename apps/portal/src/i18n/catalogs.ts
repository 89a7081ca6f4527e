import type { en } from './catalog-en';

/**
 * One catalogue per language, split by area so each screen family owns its file. English is
 * the reference: every other catalogue must have exactly its keys (the type checker says which
 * are missing). A page loads only its person's language (the login page's JavaScript budget).
 */
export type MessageKey = keyof typeof en;
export type Catalog = Record<MessageKey, string>;

export const LOCALES = ['en', 'fr'] as const;
export type Locale = (typeof LOCALES)[number];
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', fr: 'Français' };

/** The catalogue of one language, fetched when first needed. */
export function loadCatalog(locale: Locale): Promise<Catalog> {
  switch (locale) {
    case 'fr':
      return import('./catalog-fr').then((m) => m.fr);
    default:
      return import('./catalog-en').then((m) => m.en);
  }
}
