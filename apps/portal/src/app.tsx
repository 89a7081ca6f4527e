import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, Navigate, RouterProvider, type RouteObject } from 'react-router';
import { ApiError } from './api/api-error';
import type { Catalog, Locale } from './i18n/catalogs';
import { I18nProvider } from './i18n/i18n';
import { portalRoutes } from './routes';

/** Client errors are answers, not outages: only network and server failures are retried. */
export function createQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (count, error) => count < 2 && !(error instanceof ApiError && error.status > 0 && error.status < 500),
        refetchOnWindowFocus: false,
        staleTime: 10_000,
      },
      mutations: { retry: false },
    },
  });
}

export function App({ routes = portalRoutes, locale, catalog }: { routes?: RouteObject[]; locale: Locale; catalog: Catalog }) {
  const router = createBrowserRouter([{ path: '/', element: <Navigate to="/account" replace /> }, ...routes]);
  return (
    <I18nProvider locale={locale} catalog={catalog}>
      <QueryClientProvider client={createQueryClient()}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </I18nProvider>
  );
}
