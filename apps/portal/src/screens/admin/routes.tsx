import { Navigate, type RouteObject } from 'react-router';
import { lazyScreen } from '../../lazy-screen';

/**
 * The admin console (`/admin/*`), behind the admin token. The shell and every page load on first
 * visit: none of it weighs on the login page.
 */
export const adminRoutes: RouteObject[] = [
  {
    path: '/admin',
    element: lazyScreen(() => import('./AdminShell')),
    children: [
      { index: true, element: <Navigate to="/admin/clients" replace /> },
      { path: 'clients', element: lazyScreen(() => import('./clients/ClientsScreen')) },
      { path: 'clients/new', element: lazyScreen(() => import('./clients/ClientCreateScreen')) },
      { path: 'clients/:id', element: lazyScreen(() => import('./clients/ClientScreen')) },
      { path: 'users', element: lazyScreen(() => import('./users/UsersScreen')) },
      { path: 'users/:sub', element: lazyScreen(() => import('./users/UserScreen')) },
      { path: 'idps', element: lazyScreen(() => import('./idps/IdpsScreen')) },
      { path: 'idps/new', element: lazyScreen(() => import('./idps/IdpCreateScreen')) },
      { path: 'idps/:id', element: lazyScreen(() => import('./idps/IdpScreen')) },
      { path: 'keys', element: lazyScreen(() => import('./keys/KeysScreen')) },
      { path: 'audit', element: lazyScreen(() => import('./audit/AuditScreen')) },
      { path: 'deliveries', element: lazyScreen(() => import('./deliveries/DeliveriesScreen')) },
    ],
  },
];
