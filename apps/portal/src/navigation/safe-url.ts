/**
 * A client's own links (homepage, logo, policies) are set by whoever registered it, dynamic
 * registration included: only http(s) URLs become links or images, never `javascript:` or `data:`.
 */
export function safeHttpUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** A logo: https only, as the portal's Content-Security-Policy (`img-src 'self' data: https:`) loads no other. */
export function safeImageUrl(value: string | undefined): string | undefined {
  const url = safeHttpUrl(value);
  return url?.startsWith('https:') ? url : undefined;
}
