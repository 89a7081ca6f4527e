/** One value a line (URIs); blank lines dropped. */
export const lines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

/** Space- or comma-separated words (scopes). */
export const words = (text: string) => [...new Set(text.split(/[\s,]+/).filter(Boolean))];

/** A path segment for an id from the API or the URL. */
export const seg = (id: string) => encodeURIComponent(id);
