import type { RouteObject } from 'react-router';
import { lazyScreen } from '../../lazy-screen';

/** The account pages (`/account/*`), behind the account token; each page loads when first opened. */
export const accountRoutes: RouteObject[] = [
  {
    path: '/account',
    element: lazyScreen(() => import('./AccountLayout')),
    children: [
      { index: true, element: lazyScreen(() => import('./profile/ProfileScreen')) },
      { path: 'security', element: lazyScreen(() => import('./security/SecurityScreen')) },
      { path: 'linked', element: lazyScreen(() => import('./linked/LinkedScreen')) },
      { path: 'sessions', element: lazyScreen(() => import('./sessions/SessionsScreen')) },
      { path: 'apps', element: lazyScreen(() => import('./apps/AppsScreen')) },
      { path: 'delete', element: lazyScreen(() => import('./delete/DeleteAccountScreen')) },
    ],
  },
];
