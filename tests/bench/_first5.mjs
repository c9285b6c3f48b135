import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../e2e/harness.mjs';
import { mkdtempSync } from 'node:fs';
const profile = mkdtempSync('/tmp/kwprof-');
const ext = '/tmp/kwext';
for (let i = 0; i < 3; i++) {
  const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, `--disable-extensions-except=${ext}`, `--load-extension=${ext}`] });
  const w = context.serviceWorkers()[0] ?? await context.waitForEvent('serviceworker');
  const r = await w.evaluate(async () => { const t = performance.now(); await chrome.storage.managed.get(null); return [Math.round(performance.now()), Math.round(performance.now() - t)]; });
  console.log('run', i, 'sw at', r[0], 'managed.get ms', r[1]);
  await context.close();
}
