import type { Catalog } from './catalogs';
import { accountFr } from './fr/account';
import { adminFr } from './fr/admin';
import { commonFr } from './fr/common';
import { flowsFr } from './fr/flows';

export const fr: Catalog = { ...commonFr, ...flowsFr, ...accountFr, ...adminFr };
