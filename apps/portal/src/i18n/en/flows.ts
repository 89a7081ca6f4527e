/** The flows screens' strings. */
export const flowsEn = {
} as const;
