import type { RouteObject } from 'react-router';
import { lazyScreen } from '../../lazy-screen';

/** The pages that work before any token exists: sign-in, sign-up, recovery, and where flows end. */
export const flowRoutes: RouteObject[] = [
  { path: '/login', element: lazyScreen(() => import('./login/LoginScreen')) },
  { path: '/signup', element: lazyScreen(() => import('./signup/SignupScreen')) },
  { path: '/verify-email', element: lazyScreen(() => import('./verify/VerifyEmailScreen')) },
  { path: '/forgot-password', element: lazyScreen(() => import('./recovery/ForgotPasswordScreen')) },
  { path: '/reset-password', element: lazyScreen(() => import('./recovery/ResetPasswordScreen')) },
  { path: '/signed-out', element: lazyScreen(() => import('./status/SignedOutScreen')) },
  { path: '/error', element: lazyScreen(() => import('./status/ErrorScreen')) },
];
