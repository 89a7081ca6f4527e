import type { RouteObject } from 'react-router';

/** The pages that work before any token exists: sign-in, consent, sign-up, recovery. */
export const flowRoutes: RouteObject[] = [];
