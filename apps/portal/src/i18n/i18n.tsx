import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { loadCatalog, type Catalog, type Locale, type MessageKey } from './catalogs';
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

/** The language to start in: `?ui_locales=`, the person's earlier choice, then the browser's. */
export function initialLocale(): Locale {
  const query = new URLSearchParams(window.location.search).get('ui_locales');
  let chosen: string | null = null;
  try {
    chosen = window.localStorage.getItem(STORAGE_KEY);
  } catch {
    // storage can be disabled; the browser's languages still apply
  }
  return pickLocale(query, chosen, navigator.languages ?? [navigator.language]);
}

/**
 * Strings for the screens. The first catalogue is loaded before the first render (main.tsx);
 * switching language loads the other one, and the page switches once it is there.
 */
export function I18nProvider({ children, locale: initial, catalog: initialCatalog }: { children: ReactNode; locale: Locale; catalog: Catalog }) {
  const [state, setState] = useState<{ locale: Locale; catalog: Catalog }>({ locale: initial, catalog: initialCatalog });
  useEffect(() => {
    document.documentElement.lang = state.locale;
  }, [state.locale]);
  const switchTo = useCallback((next: Locale) => {
    void loadCatalog(next).then((catalog) => setState((current) => (current.locale === next ? current : { locale: next, catalog })));
  }, []);
  const setLocale = useCallback(
    (next: Locale) => {
      switchTo(next);
      try {
        window.localStorage.setItem(STORAGE_KEY, next);
      } catch {
        // not remembered; fine
      }
    },
    [switchTo],
  );
  const preferUiLocales = useCallback(
    (uiLocales: string | readonly string[] | null | undefined) => {
      if (uiLocales && uiLocales.length) switchTo(pickLocale(uiLocales, navigator.languages ?? []));
    },
    [switchTo],
  );
  const value = useMemo<I18n>(
    () => ({ locale: state.locale, setLocale, preferUiLocales, t: (key, vars) => interpolate(state.catalog[key] ?? key, vars) }),
    [state, setLocale, preferUiLocales],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}

export const useT = (): Translate => useI18n().t;
