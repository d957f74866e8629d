/**
 * A real browser for the console's tests: Debian's chromium (scripts/test.sh installs it), driven
 * by playwright-core. The local cluster's certificates come from Caddy's internal CA, which this
 * throwaway profile does not know: certificate errors are ignored here, and only here.
 */
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

const EXECUTABLE = process.env.NOM_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(EXECUTABLE)) throw new Error(`no browser at ${EXECUTABLE}: apt-get install chromium (scripts/test.sh does), or set NOM_CHROMIUM`);
  // Chromium's sandbox needs user namespaces a root test run does not have.
  return chromium.launch({ executablePath: EXECUTABLE, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
}

/** A fresh profile (its own session storage): one visitor. */
export function visitor(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<BrowserContext> {
  return browser.newContext({ ignoreHTTPSErrors: true, viewport });
}
