import { accountEn } from './en/account';
import { adminEn } from './en/admin';
import { commonEn } from './en/common';
import { flowsEn } from './en/flows';

/** English: the reference catalogue, whose keys every other language must have. */
export const en = { ...commonEn, ...flowsEn, ...accountEn, ...adminEn };
