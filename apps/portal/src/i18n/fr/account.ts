import type { accountEn } from '../en/account';

export const accountFr: Record<keyof typeof accountEn, string> = {
};
