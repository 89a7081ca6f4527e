import type { adminEn } from '../en/admin';

export const adminFr: Record<keyof typeof adminEn, string> = {
};
