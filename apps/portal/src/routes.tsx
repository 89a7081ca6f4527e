import type { RouteObject } from 'react-router';
import { lazyScreen } from './lazy-screen';
import { accountRoutes } from './screens/account/routes';
import { adminRoutes } from './screens/admin/routes';
import { consentRoutes } from './screens/consent/routes';
import { flowRoutes } from './screens/flows/routes';

/**
 * Every page of the portal. The platform (and nginx) serve index.html for exactly these paths
 * (see PORTAL_PATHS in the platform's portal hosting); anything else is the not-found page.
 */
export const portalRoutes: RouteObject[] = [
  ...flowRoutes,
  ...consentRoutes,
  ...accountRoutes,
  ...adminRoutes,
  { path: '/callback', element: lazyScreen(() => import('./screens/common/CallbackScreen').then((m) => ({ default: m.CallbackScreen }))) },
  { path: '*', element: lazyScreen(() => import('./screens/common/NotFoundScreen').then((m) => ({ default: m.NotFoundScreen }))) },
];
