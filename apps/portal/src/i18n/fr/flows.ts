import type { flowsEn } from '../en/flows';

export const flowsFr: Record<keyof typeof flowsEn, string> = {
};
