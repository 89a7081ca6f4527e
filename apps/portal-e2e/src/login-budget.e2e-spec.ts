import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { launchChromium, newContext, watchPageErrors } from './support/chromium';
import { startPortalPlatform, type PortalPlatform } from './support/portal-platform';
import { RelyingParty } from './support/relying-party';

/** Issue 8's budget for the JavaScript the login page loads, gzipped. */
const LOGIN_JS_BUDGET_BYTES = 150 * 1024;
const METRICS_FILE = resolve(__dirname, '../../../tmp/portal-metrics.json');

describe('the login page: its JavaScript budget, its security headers and how fast it renders', () => {
  let platform: PortalPlatform;
  let browser: Browser;
  let rp: RelyingParty;

  beforeAll(async () => {
    [platform, browser] = await Promise.all([startPortalPlatform(), launchChromium()]);
    rp = await RelyingParty.register(platform, { name: 'Budget Notes', scopes: [{ scope: 'openid' }] });
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('loads under 150 kB of gzipped JavaScript, all of it from its own origin, under a CSP that forbids framing', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    const scripts = new Map<string, number>();
    page.on('response', async (response) => {
      if (response.request().resourceType() !== 'script') return;
      scripts.set(response.url(), gzipSync(await response.body(), { level: 9 }).length);
    });
    await page.goto(await rp.authorizationUrl('openid'));
    await page.getByLabel('Password', { exact: true }).waitFor();
    await page.waitForLoadState('networkidle');

    const total = [...scripts.values()].reduce((a, b) => a + b, 0);
    console.log(`login page JavaScript: ${scripts.size} files, ${(total / 1024).toFixed(1)} kB gzipped (budget ${LOGIN_JS_BUDGET_BYTES / 1024} kB)`);
    expect(scripts.size).toBeGreaterThan(0);
    expect([...scripts.keys()].every((url) => url.startsWith(`${platform.issuer}/assets/`))).toBe(true);
    expect(total).toBeLessThan(LOGIN_JS_BUDGET_BYTES);

    const document = await page.request.get(page.url());
    const csp = document.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(document.headers()['referrer-policy']).toBe('no-referrer');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('measures the time to first render of the login page (recorded in docs/portal.md, not asserted)', async () => {
    const samples: { fcp: number; heading: number }[] = [];
    for (let i = 0; i < 7; i++) {
      const context = await newContext(browser);
      const page = await context.newPage();
      await page.goto(await rp.authorizationUrl('openid'));
      await page.getByLabel('Password', { exact: true }).waitFor();
      // From the navigation to /login (after the authorization endpoint's redirect) to the first
      // contentful paint, and to the paint of the page's heading with the form (Element Timing).
      samples.push(
        await page.evaluate(
          () =>
            new Promise<{ fcp: number; heading: number }>((resolve) => {
              const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN;
              new PerformanceObserver((list) => {
                const entry = list.getEntries().find((e) => (e as unknown as { identifier?: string }).identifier === 'page-title') as unknown as { renderTime: number; startTime: number } | undefined;
                if (entry) resolve({ fcp, heading: entry.renderTime || entry.startTime });
              }).observe({ type: 'element' as never, buffered: true });
            }),
        ),
      );
      await context.close();
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
    const result = {
      runs: samples.length,
      first_contentful_paint_median_ms: Math.round(median(samples.map((s) => s.fcp))),
      login_heading_painted_median_ms: Math.round(median(samples.map((s) => s.heading))),
      measured_at: new Date().toISOString(),
    };
    console.log(`login page first render: ${JSON.stringify(result)}`);
    mkdirSync(join(METRICS_FILE, '..'), { recursive: true });
    writeFileSync(METRICS_FILE, JSON.stringify(result, null, 2));
    expect(samples.every((s) => s.fcp > 0 && s.heading >= s.fcp)).toBe(true);
  });
});
