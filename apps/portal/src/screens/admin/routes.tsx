import type { RouteObject } from 'react-router';

/** The admin console (`/admin/*`), behind the admin token. */
export const adminRoutes: RouteObject[] = [];
