/** The account screens' strings. */
export const accountEn = {
} as const;
