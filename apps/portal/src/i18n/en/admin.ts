/** The admin screens' strings. */
export const adminEn = {
} as const;
