import type { Page } from 'playwright-core';

/**
 * What a person does on the portal's pages, by the labels they read (English catalogue), so
 * that the tests break when the pages stop saying what they do.
 */
export async function signInWithPassword(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Opens a portal page as a signed-in person: the portal's own code flow through /login. */
export async function openAccount(page: Page, issuer: string, path: string, user: { email: string; password: string }): Promise<void> {
  await page.goto(`${issuer}${path}`);
  // The portal sends the page to the authorization endpoint: the login page, or straight back
  // to /callback when an OP session exists.
  await page.waitForURL((url) => url.pathname === '/login' || url.pathname === '/callback');
  if (new URL(page.url()).pathname === '/login') await signInWithPassword(page, user.email, user.password);
  await page.waitForURL((url) => url.pathname === path);
  await page.getByRole('heading', { level: 1 }).first().waitFor();
}

/** The portal's "Sign out" (RP-initiated logout by POST), ending on the signed-out page. */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/signed-out/);
}
