import { QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { createMemoryRouter, RouterProvider, type RouteObject } from 'react-router';
import { createQueryClient } from '../app';
import { en } from '../i18n/catalog-en';
import { fr } from '../i18n/catalog-fr';
import type { Locale } from '../i18n/catalogs';
import { I18nProvider } from '../i18n/i18n';

/**
 * Renders a screen as the portal does (i18n, query cache, router) at a URL. Pass `routes` to
 * mount several screens (to test navigation between them), or `element` for one.
 */
export function renderScreen(options: { url: string; element?: ReactElement; path?: string; routes?: RouteObject[]; locale?: Locale }) {
  const routes = options.routes ?? [{ path: options.path ?? new URL(options.url, 'http://x').pathname, element: options.element }];
  const router = createMemoryRouter(routes, { initialEntries: [options.url] });
  const client = createQueryClient();
  client.setDefaultOptions({ queries: { retry: false, staleTime: 0 }, mutations: { retry: false } });
  const result = render(
    <I18nProvider locale={options.locale ?? 'en'} catalog={options.locale === 'fr' ? fr : en}>
      <QueryClientProvider client={client}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </I18nProvider>,
  );
  return { ...result, router };
}

/** Sets the CSRF cookie the flow API's double submit reads. */
export function setCsrfCookie(value = 'csrf-test') {
  document.cookie = `tessera_csrf=${value}; path=/`;
}
