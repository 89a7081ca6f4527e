import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { locationOf, type TestBrowser } from '@tessera/test-kit';

export interface UpstreamAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  given_name?: string;
  family_name?: string;
  picture?: string;
  locale?: string;
  /** When the person signed in at the provider (epoch seconds); default: now. Not a claim of the account. */
  auth_time?: number;
}

export interface UpstreamProvider {
  issuer: string;
  close(): Promise<void>;
}

/** Starts oidc-provider (in a worker thread) with these registered clients. */
export async function startUpstreamProvider(clients: Array<Record<string, unknown>>): Promise<UpstreamProvider> {
  const worker = new Worker(join(__dirname, 'upstream-provider.worker.mjs'), { workerData: { clients }, stderr: true });
  // oidc-provider's start-up advice (dev adapter, default TTLs) is noise here; real errors pass.
  worker.stderr.on('data', (chunk: Buffer) => {
    const lines = chunk
      .toString()
      .split('\n')
      .filter((l) => l && !/^oidc-provider (WARNING|NOTICE)/.test(l));
    if (lines.length) process.stderr.write(`${lines.join('\n')}\n`);
  });
  const issuer = await new Promise<string>((resolve, reject) => {
    worker.once('message', (m: { issuer: string }) => resolve(m.issuer));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the upstream provider exited (${code})`)));
  });
  return { issuer, close: async () => void (await worker.terminate()) };
}

/**
 * Plays the person at the upstream provider: from the provider's authorization URL, through its
 * "login page" as `account` (or refusing), to the redirect back to Tessera. Returns that
 * callback URL without following it.
 */
export async function atUpstream(browser: TestBrowser, authorizationUrl: string, account: UpstreamAccount | 'deny'): Promise<string> {
  const interaction = new URL(locationOf(await browser.get(authorizationUrl)), authorizationUrl);
  if (!interaction.pathname.startsWith('/interaction/')) throw new Error(`expected the upstream login page, got ${interaction.href}`);
  if (account === 'deny') interaction.searchParams.set('deny', '1');
  else interaction.searchParams.set('as', Buffer.from(JSON.stringify(account)).toString('base64url'));
  let url = new URL(locationOf(await browser.get(interaction.href)), interaction).href;
  // The provider resumes the authorization request, then redirects to the client's redirect URI.
  for (let hops = 0; hops < 5 && url.startsWith(new URL(authorizationUrl).origin); hops++) {
    url = new URL(locationOf(await browser.get(url)), url).href;
  }
  return url;
}
