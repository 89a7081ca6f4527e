import { accountEn } from './en/account';
import { adminEn } from './en/admin';
import { commonEn } from './en/common';
import { flowsEn } from './en/flows';
import { accountFr } from './fr/account';
import { adminFr } from './fr/admin';
import { commonFr } from './fr/common';
import { flowsFr } from './fr/flows';

/**
 * One catalogue per language, split by area so each screen family owns its file. English is
 * the reference: every other catalogue must have exactly its keys (the type checker says which
 * are missing).
 */
const en = { ...commonEn, ...flowsEn, ...accountEn, ...adminEn };
export type MessageKey = keyof typeof en;
export type Catalog = Record<MessageKey, string>;

const fr: Catalog = { ...commonFr, ...flowsFr, ...accountFr, ...adminFr };

export const CATALOGS = { en, fr } satisfies Record<string, Catalog>;
export type Locale = keyof typeof CATALOGS;
export const LOCALES = Object.keys(CATALOGS) as Locale[];
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', fr: 'Français' };
