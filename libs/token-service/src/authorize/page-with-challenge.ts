/**
 * The UI page's URL with `name` set to a challenge: parsed once, then plain concatenation, since
 * a sealed challenge (base64url, about a kilobyte) needs no escaping and would otherwise be
 * copied and escaped by URLSearchParams on every sign-in.
 */
export function pageWithChallenge(base: string, name: string): (challenge: string) => string {
  const url = new URL(base);
  url.searchParams.delete(name);
  const fragment = url.hash;
  url.hash = '';
  const head = `${url.toString()}${url.search ? '&' : '?'}${name}=`;
  return (challenge) => `${head}${challenge}${fragment}`;
}
