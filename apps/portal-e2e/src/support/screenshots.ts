import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';

/** Where the browser tests leave a picture of each screen (linked from docs/portal.md). */
export const SCREENSHOT_DIR = resolve(__dirname, '../../../../docs/portal');

/**
 * A screenshot of the page as it is now, when TESSERA_SCREENSHOTS=1 (the docs are refreshed on
 * purpose, not by every CI run).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env['TESSERA_SCREENSHOTS'] !== '1') return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
