import type { Type } from '@nestjs/common';

/**
 * The authentication service's feature modules (MFA, passkeys, upstream IdPs, sign-up and
 * recovery): each owns its folder, tables and controllers, and injects the global core.
 */
export const FEATURE_MODULES: Type[] = [];
