// The secrets audit, on the dev build (sandbox on loopback) and on the store build (the real
// hostnames, through request routing). After a full run of Keyward's features — reading the key,
// every copy helper, lookups, a detail, an export, a worker restart and a renewal in the console —
// the key (old and new, raw or inside the Basic header) is found nowhere but `storage.session` and
// `Authorization` headers: not in `storage.local`/`sync`, IndexedDB, any context's console output
// (every page, the worker before and after a restart, the offscreen document), the console page's
// DOM or window, any URL, or the emulator's request log. And a content script, Keyward's least
// trusted context, can obtain neither the key, the header, nor lookups, nor `storage.session`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  contentScriptWorld,
  emulatorLog,
  focusHelpers,
  launchSite,
  popupReady,
  readSandboxKey,
  sandboxCredentials,
  storedAccounts,
  stopWorker,
  until,
  HELPERS,
} from './harness.mjs';

for (const flavour of ['chrome-dev', 'chrome']) describe(`the secrets audit (${flavour})`, () => {
  let browser;
  let emulator;
  let creds;
  const keys = [];
  const urls = [];

  let site;

  before(async () => {
    site = await launchSite(flavour, ['--users', '300']);
    ({ emulator, browser } = site);
    browser.context.on('request', (r) => urls.push(r.url()));
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    creds = await sandboxCredentials(emulator.base);
    keys.push(creds.apiKey);
  });
  after(async () => {
    await browser?.close();
    await emulator?.stop();
  });

  /** Every form a key can take in text: itself, and the Basic credentials it is part of. */
  const forms = () => keys.flatMap((k) => [k, Buffer.from(`${creds.clientId}:${k}`).toString('base64')]);
  const leaks = (text) => forms().filter((f) => text.includes(f));

  test('a full run of every feature', async () => {
    const page = await readSandboxKey(browser, site.console, creds.clientId, site.region);
    await until(() => page.locator(HELPERS).count(), 'the helpers');
    // Every helper: Client ID, key, header, curl, shell exports.
    await focusHelpers(page, 'table', 'Copy API key');
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
    }
    const popup = await browser.context.newPage();
    await popup.goto(browser.url('popup.html'));
    await popupReady(popup);
    await popup.keyboard.type('a');
    await popup.getByTestId('result').first().waitFor();
    await popup.keyboard.press('ArrowDown');
    await popup.keyboard.press('Enter');
    await popup.getByTestId('detail').waitFor();
    const exporter = await browser.context.newPage();
    await exporter.goto(browser.url(`export.html?account=${encodeURIComponent(creds.clientId)}`));
    await exporter.getByTestId('export-start').click();
    await until(async () => /^Complete/.test(await exporter.getByTestId('export-summary').innerText()), 'the export');
    // The worker stops (as after idling) and a fresh one serves the next lookup from storage.session.
    await stopWorker(browser, popup);
    await popup.reload();
    await popupReady(popup);
    await popup.keyboard.type('c');
    await popup.getByTestId('result').first().waitFor();
    // A renewal in the console: Edit → Renew → Save.
    const before = (await storedAccounts(browser))[creds.clientId].renewals.length;
    await page.click('#edit');
    await page.click('#renew');
    await page.locator('.pending').waitFor();
    await page.click('#save');
    await until(async () => (await storedAccounts(browser))[creds.clientId].renewals.length > before, 'the renewal');
    keys.push((await sandboxCredentials(emulator.base)).apiKey);
    await popup.reload();
    await popup.getByTestId('lookup').waitFor();
    await popup.keyboard.type('b');
    await popup.getByTestId('result').first().waitFor();
    // Hide the key again: what remains in the console page is what Keyward left there.
    if (await page.locator('#reveal-key').isVisible()) await page.click('#reveal-key');
    await popup.close();
    await exporter.close();
    await page.close();
    assert.deepEqual(browser.errors, []);
  });

  test('the key is only in storage.session', async () => {
    const stored = await browser.worker.evaluate(async () => ({
      local: JSON.stringify(await chrome.storage.local.get(null)),
      sync: JSON.stringify(await chrome.storage.sync.get(null)),
      session: JSON.stringify(await chrome.storage.session.get(null)),
    }));
    assert.deepEqual(leaks(stored.local), [], 'storage.local');
    assert.deepEqual(leaks(stored.sync), [], 'storage.sync');
    assert.ok(stored.session.includes(keys.at(-1)), 'the current key is kept for this browser session');
    const page = await browser.context.newPage();
    await page.goto(browser.url('options.html'));
    assert.deepEqual(await page.evaluate(() => indexedDB.databases()), [], 'no IndexedDB');
    await page.close();
  });

  test('the key is in no console output, URL or emulator log entry', async () => {
    // Every context's console is watched: the restarted worker's and the offscreen document's too.
    await browser.worker.evaluate(() => console.log('keyward audit probe: worker'));
    await browser.inOffscreen("console.log('keyward audit probe: offscreen')");
    await until(
      () => ['worker: keyward audit probe: worker', 'offscreen: keyward audit probe: offscreen'].every((l) => browser.consoleLog.includes(l)),
      'the probes in the watched console output',
    );
    assert.deepEqual(browser.consoleLog.filter((line) => leaks(line).length), []);
    assert.ok(urls.length > 10, 'requests were watched');
    assert.deepEqual(urls.filter((u) => leaks(decodeURIComponent(u)).length), []);
    const log = await emulatorLog(emulator.base, 100000);
    assert.ok(log.recent.length >= 5, 'the run made its requests');
    assert.deepEqual(log.recent.filter((e) => leaks(decodeURIComponent(e.path)).length), []);
  });

  test('a content script obtains neither the key nor lookups, and cannot read storage.session', async () => {
    const { page, evaluate: inContentScript } = await contentScriptWorld(browser, `${site.console}/#/setup/directory/api-credentials`);
    await page.click('#reveal-key');
    await until(() => page.locator(HELPERS).count(), 'the helpers');
    const ask = (message) => inContentScript(`chrome.runtime.sendMessage(${JSON.stringify(message)})`);
    const answers = [
      await ask({ type: 'tab_state', tab_id: 1 }),
      await ask({ type: 'search', client_id: creds.clientId, kind: 'users', text: 'a' }),
      await ask({ type: 'detail', client_id: creds.clientId, kind: 'users', id: 'x' }),
      await ask({ type: 'export_page', client_id: creds.clientId, text: '', start_index: 1, count: 10 }),
      await ask({ type: 'status' }),
      await ask({ type: 'update_account', client_id: creds.clientId, label: 'pwned' }),
    ];
    for (const answer of answers) assert.equal(answer.type, 'refused', JSON.stringify(answer));
    // The copy helper's request puts the key on the clipboard, never in the answer.
    for (const what of ['api_key', 'authorization_header', 'curl', 'shell_exports']) {
      const answer = await ask({ type: 'copy', what });
      assert.deepEqual(leaks(JSON.stringify(answer)), [], what);
    }
    const session = await inContentScript('chrome.storage.session.get(null).then((v) => JSON.stringify(v))');
    assert.deepEqual(leaks(JSON.stringify(session)), [], 'storage.session is closed to content scripts');
    await page.close();
  });
});
