/**
 * A full-page navigation, back to the token service: the OAuth flow continues there. Its own
 * module so that tests can replace it (jsdom cannot follow a navigation).
 */
export function navigateTo(url: string): void {
  window.location.assign(url);
}
