/** A full-page navigation (to the authorization endpoint): its own module so that tests can watch it. */
export function navigate(url: string): void {
  window.location.assign(url);
}
