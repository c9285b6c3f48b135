// The secrets audit. After a full run of Keyward's features — reading the key, every copy helper,
// lookups, a detail, an export and a renewal in the console — the key (old and new, raw or inside
// the Basic header) is found nowhere but `storage.session` and `Authorization` headers: not in
// `storage.local`/`sync`, IndexedDB, any context's console output, the console page's DOM or
// window, any URL, or the emulator's request log. And a content script, Keyward's least trusted
// context, can obtain neither the key, the header, nor lookups, nor `storage.session`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  contentScriptWorld,
  emulatorLog,
  focusHelpers,
  launch,
  popupReady,
  presetLocalBase,
  readSandboxKey,
  sandboxCredentials,
  startEmulator,
  storedAccounts,
  until,
} from './harness.mjs';

let browser;
let emulator;
let creds;
const keys = [];
const urls = [];

before(async () => {
  emulator = await startEmulator(['--users', '300']);
  browser = await launch('chrome-dev');
  browser.context.on('request', (r) => urls.push(r.url()));
  await presetLocalBase(browser, emulator.base);
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
  const page = await readSandboxKey(browser, emulator.base, creds.clientId);
  await until(() => page.locator('keyward-helpers').count(), 'the helpers');
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
  assert.deepEqual(browser.consoleLog.filter((line) => leaks(line).length), []);
  assert.ok(urls.length > 10, 'requests were watched');
  assert.deepEqual(urls.filter((u) => leaks(decodeURIComponent(u)).length), []);
  const log = await emulatorLog(emulator.base, 100000);
  assert.ok(log.recent.length >= 5, 'the run made its requests');
  assert.deepEqual(log.recent.filter((e) => leaks(decodeURIComponent(e.path)).length), []);
});

test('a content script obtains neither the key nor lookups, and cannot read storage.session', async () => {
  const { page, evaluate: inContentScript } = await contentScriptWorld(browser, `${emulator.base}/#/setup/directory/api-credentials`);
  await page.click('#reveal-key');
  await until(() => page.locator('keyward-helpers').count(), 'the helpers');
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
