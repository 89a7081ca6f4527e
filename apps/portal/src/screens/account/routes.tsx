import type { RouteObject } from 'react-router';

/** The account pages (`/account/*`), behind the account token. */
export const accountRoutes: RouteObject[] = [];
