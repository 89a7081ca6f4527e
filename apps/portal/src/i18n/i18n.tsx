import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { CATALOGS, type Locale, type MessageKey } from './catalogs';
import { interpolate, pickLocale } from './locale';

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

interface I18n {
  locale: Locale;
  t: Translate;
  setLocale(locale: Locale): void;
  /** A login or consent challenge's `ui_locales` outranks the browser's languages. */
  preferUiLocales(uiLocales: string | readonly string[] | null | undefined): void;
}

const I18nContext = createContext<I18n | null>(null);

const STORAGE_KEY = 'tessera.locale';

function initialLocale(): Locale {
  const query = new URLSearchParams(window.location.search).get('ui_locales');
  let chosen: string | null = null;
  try {
    chosen = window.localStorage.getItem(STORAGE_KEY);
  } catch {
    // storage can be disabled; the browser's languages still apply
  }
  return pickLocale(query, chosen, navigator.languages ?? [navigator.language]);
}

export function I18nProvider({ children, locale: fixed }: { children: ReactNode; locale?: Locale }) {
  const [locale, setLocaleState] = useState<Locale>(() => fixed ?? initialLocale());
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const setLocale = useCallback((next: Locale) => {
    setLocaleState(next);
    try {
      window.localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // not remembered; fine
    }
  }, []);
  const preferUiLocales = useCallback((uiLocales: string | readonly string[] | null | undefined) => {
    if (uiLocales && uiLocales.length) setLocaleState(pickLocale(uiLocales, navigator.languages ?? []));
  }, []);
  const value = useMemo<I18n>(() => {
    const catalog = CATALOGS[locale];
    return { locale, setLocale, preferUiLocales, t: (key, vars) => interpolate(catalog[key] ?? CATALOGS.en[key] ?? key, vars) };
  }, [locale, setLocale, preferUiLocales]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}

export const useT = (): Translate => useI18n().t;
