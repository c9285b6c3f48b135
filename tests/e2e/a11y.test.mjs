// Accessibility: axe-core finds no serious or critical violation on the popup (lookup results and
// a detail), the options page and the export page (running and finished), in light and dark; and
// the export page works from the keyboard alone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, closeGate, launchWithSandboxKey, openGate, popupReady, until, untilParked } from './harness.mjs';

const AXE = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

let browser;
let emulator;
let creds;
before(async () => {
  ({ emulator, browser, creds } = await launchWithSandboxKey(['--users', '600']));
});
after(async () => {
  await browser?.close();
  await emulator?.stop();
});

/** Serious and critical axe violations on the page as it is now, in both colour schemes. */
async function violations(page, what) {
  // The extension pages' CSP blocks injected script tags; evaluate runs the source directly.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const found = [];
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    assert.ok(result.passes.length > 10, 'axe ran its rules');
    for (const v of result.violations.filter((v) => ['serious', 'critical'].includes(v.impact))) {
      found.push(`${what} (${colorScheme}): ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return found;
}

test('popup: results and a detail view', async () => {
  const page = await browser.context.newPage();
  await page.goto(browser.url('popup.html'));
  await popupReady(page);
  const found = await violations(page, 'popup');
  await page.keyboard.type('a');
  await page.getByTestId('result').first().waitFor();
  found.push(...(await violations(page, 'popup results')));
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.getByTestId('detail').waitFor();
  await page.locator('.kw-attributes summary').click();
  found.push(...(await violations(page, 'popup detail')));
  assert.deepEqual(found, []);
  await page.close();
});

test('options page', async () => {
  const page = await browser.context.newPage();
  await page.goto(browser.url('options.html'));
  await page.locator('main').first().waitFor();
  assert.deepEqual(await violations(page, 'options'), []);
  await page.close();
});

test('export page, from the keyboard alone', async () => {
  // The first page of users goes through, the rest wait at the emulator's gate: the export is
  // running (and can be paused) for as long as the test needs, whatever the machine's speed.
  await closeGate(emulator.base, { path_contains: '/directory/user?', pass: 1 });
  const page = await browser.context.newPage();
  await page.goto(browser.url(`export.html?account=${encodeURIComponent(creds.clientId)}`));
  await page.getByTestId('export-start').waitFor();
  const found = await violations(page, 'export');
  // Tab to the start button (past the account and the search box) and press Enter.
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.dataset.testid === 'export-start')) break;
  }
  await page.keyboard.press('Enter');
  const summary = () => page.getByTestId('export-summary').innerText();
  await until(async () => /^Exported [1-9]/.test(await summary()), 'the export running');
  await untilParked(emulator.base);
  found.push(...(await violations(page, 'export running')));
  await page.getByRole('button', { name: 'Pause' }).focus();
  await page.keyboard.press('Enter');
  await until(async () => /^Paused/.test(await summary()), 'paused from the keyboard');
  await openGate(emulator.base);
  await page.keyboard.press('Enter'); // focus is on Resume now
  await until(async () => /^Complete: 600 users\.$/.test(await summary()), 'the export complete', 60_000);
  found.push(...(await violations(page, 'export complete')));
  assert.deepEqual(found, []);
  await page.close();
  assert.deepEqual(browser.errors, []);
});
