import type { RouteObject } from 'react-router';
import { lazyScreen } from '../../lazy-screen';

/** The consent page (`/consent?consent_challenge=…`): works from its challenge, before any token. */
export const consentRoutes: RouteObject[] = [{ path: '/consent', element: lazyScreen(() => import('./ConsentScreen')) }];
