/** The content codings the portal's files are precomputed in, best (smallest) first. */
export const ENCODINGS = ['br', 'gzip'] as const;
export type Encoding = (typeof ENCODINGS)[number];

interface Preference {
  name: string;
  q: number;
}

/** `a, b;q=0.5` → [{a, 1}, {b, 0.5}] (RFC 9110 §12.4.2 weights; a malformed weight counts as 0). */
function preferences(header: string | undefined): Preference[] {
  if (!header) return [];
  return header.split(',').flatMap((part) => {
    const [name, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    if (!name) return [];
    const weight = params.find((p) => p.startsWith('q='));
    const q = weight === undefined ? 1 : Number(weight.slice(2));
    return [{ name, q: Number.isFinite(q) && q >= 0 && q <= 1 ? q : 0 }];
  });
}

/**
 * RFC 9110 §12.5.3: the coding to send, from those the file has. The client's highest weight
 * wins, and on a tie the smaller coding (br before gzip). Without the header, or when no coding
 * the file has is acceptable, the file goes as it is (identity, always acceptable in practice).
 */
export function negotiateEncoding(acceptEncoding: string | undefined, available: ReadonlySet<Encoding>): Encoding | 'identity' {
  const prefs = preferences(acceptEncoding);
  const weightOf = (coding: string) => prefs.find((p) => p.name === coding)?.q ?? prefs.find((p) => p.name === '*')?.q ?? 0;
  let best: Encoding | 'identity' = 'identity';
  let bestQ = 0;
  for (const coding of ENCODINGS) {
    if (!available.has(coding)) continue;
    const q = weightOf(coding);
    if (q > bestQ) {
      best = coding;
      bestQ = q;
    }
  }
  // A client that weighs identity itself (by name, or through `*`) above the best coding gets
  // the file as it is; identity's implicit acceptability (§12.5.3) never outweighs a coding asked for.
  const identity = prefs.find((p) => p.name === 'identity')?.q ?? prefs.find((p) => p.name === '*')?.q;
  if (best !== 'identity' && identity !== undefined && identity > bestQ) return 'identity';
  return best;
}

/** A navigation (or any request) that takes HTML: `text/html` with a weight above 0. */
export function acceptsHtml(accept: string | undefined): boolean {
  return preferences(accept).some((p) => p.name === 'text/html' && p.q > 0);
}

/** RFC 9110 §13.1.2 If-None-Match: weak comparison, `*` matches any. */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || strip(tag) === strip(etag));
}
