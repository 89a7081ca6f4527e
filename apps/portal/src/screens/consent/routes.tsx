import type { RouteObject } from 'react-router';

/** The consent page (`/consent?consent_challenge=…`): works from its challenge, before any token. */
export const consentRoutes: RouteObject[] = [];
