// Showing Keyward a credentials page its reader cannot read (the sandbox console in French): the
// page offers it, the admin clicks the Client ID's value and then the key's, and Keyward keeps where
// they are — never the values — and reads the page through them on the next visit and after a
// renewal; Esc stops it; a page the layout no longer matches is read by the reader again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, buttonLabels, launch, presetLocalBase, sandboxCredentials, startEmulator, storedAccounts, until } from './harness.mjs';

let browser;
let emulator;
let ext;

before(async () => {
  emulator = await startEmulator(['--users', '3']);
  browser = await launch('chrome-dev');
  await presetLocalBase(browser, emulator.base);
  ext = await browser.context.newPage();
  await ext.goto(browser.url('popup.html'));
});
after(async () => {
  await browser?.close();
  await emulator?.stop();
});

const FRENCH = () => `${emulator.base}/?layout=localized#/setup/directory/api-credentials`;

/** What the worker knows of the tab showing `page`, asked as the popup asks. */
async function viewOf(page) {
  const id = await browser.worker.evaluate(async (u) => (await chrome.tabs.query({})).find((t) => t.url === u)?.id, page.url());
  return ext.evaluate((tab_id) => chrome.runtime.sendMessage({ type: 'tab_state', tab_id }), id);
}

/**
 * Clicks the button named `name` as the admin would (a trusted click at its place on screen),
 * wherever it is drawn: Keyward's buttons live in closed shadow roots, found through the browser's
 * accessibility tree.
 */
async function clickButton(page, name) {
  await until(async () => (await buttonLabels(page)).includes(name), `the "${name}" button`);
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const node = nodes.find((n) => n.role?.value === 'button' && n.name?.value === name);
    const { model } = await cdp.send('DOM.getBoxModel', { backendNodeId: node.backendDOMNodeId });
    const [x1, y1, , , x3, y3] = model.content;
    await page.mouse.click((x1 + x3) / 2, (y1 + y3) / 2);
  } finally {
    await cdp.detach();
  }
}

const layouts = () => browser.worker.evaluate(async () => (await chrome.storage.local.get('layouts')).layouts ?? null);
const keptKey = (clientId) => browser.worker.evaluate(async (id) => (await chrome.storage.session.get('keys')).keys?.[id], clientId);

test('the page Keyward cannot read offers to be shown; Esc stops showing it', async () => {
  const page = await browser.context.newPage();
  await page.goto(FRENCH());
  const unread = await until(async () => {
    const v = await viewOf(page);
    return v.can_teach && v;
  }, 'the page recognised as one Keyward could not read');
  assert.equal(unread.client_id, null);
  await clickButton(page, 'Show Keyward the fields');
  await until(async () => (await viewOf(page)).summary.includes('Keyward is waiting'), 'the page waiting for a click');
  assert.ok((await buttonLabels(page)).includes('Cancel'), 'the prompt offers Cancel');
  await page.keyboard.press('Escape');
  await until(async () => !(await viewOf(page)).summary.includes('Keyward is waiting'), 'teaching stopped');
  await until(async () => !(await buttonLabels(page)).includes('Cancel'), 'the prompt gone');
  assert.equal(await layouts(), null, 'nothing learned');
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('shown the fields once, Keyward reads the page through them, on the next visit and after a renewal', async () => {
  const creds = await sandboxCredentials(emulator.base);
  const page = await browser.context.newPage();
  await page.goto(FRENCH());
  await until(async () => (await viewOf(page)).can_teach, 'the offer');
  // From the popup this time, as an admin who opened it would.
  const tabId = await browser.worker.evaluate(async (u) => (await chrome.tabs.query({})).find((t) => t.url === u)?.id, page.url());
  const asked = await ext.evaluate((tab_id) => chrome.runtime.sendMessage({ type: 'teach_tab', tab_id }), tabId);
  assert.equal(asked.type, 'ack');
  await until(async () => (await viewOf(page)).summary.includes('Client ID'), 'the prompt for the Client ID');

  // A click on something else is refused with the reason, and nothing is learned.
  await page.click('h1');
  await until(async () => (await buttonLabels(page)).includes('Cancel') && (await viewOf(page)).summary.includes('Client ID'), 'still asking for the Client ID');
  // The Client ID, then the key (hidden: its place is enough).
  await page.click('#client-id-value');
  await until(async () => (await viewOf(page)).summary.includes('API key'), 'the prompt for the key');
  await page.click('#api-key-value');
  const read = await until(async () => {
    const v = await viewOf(page);
    return v.client_id && v;
  }, 'the page read through the layout');
  assert.equal(read.client_id, creds.clientId);
  assert.equal(read.key, 'hidden');
  assert.match(read.summary, /Read through the layout you showed Keyward/);
  const kept = await layouts();
  assert.equal(kept.pages.length, 1);
  const stored = JSON.stringify(kept);
  assert.ok(!stored.includes(creds.clientId) && !stored.includes(creds.apiKey), 'no value is kept, only places');
  assert.match(kept.pages[0].client_id, /^html>body:0>/);

  // Revealed, the key is read and kept for lookups.
  await page.click('#reveal-key');
  await until(async () => (await viewOf(page)).key === 'shown', 'the revealed key read');
  assert.equal(await keptKey(creds.clientId), creds.apiKey);
  await page.close();

  // The next visit reads through the layout at once.
  const again = await browser.context.newPage();
  await again.goto(FRENCH());
  await again.click('#reveal-key');
  await until(async () => (await viewOf(again)).key === 'shown', 'the key read on the next visit');
  await again.close();

  // Renewed elsewhere: the next visit reads the new key and records the renewal.
  const { api_key: renewed } = await admin(emulator.base, 'POST', 'renew', {});
  const after = await browser.context.newPage();
  await after.goto(FRENCH());
  await after.click('#reveal-key');
  await until(async () => (await keptKey(creds.clientId)) === renewed, 'the renewed key read');
  const account = (await storedAccounts(browser))[creds.clientId];
  assert.equal(account.renewals.length, 1, 'a renewal recorded');
  await after.close();

  // Where the layout no longer matches (another layout at the same address), the reader reads the page.
  const table = await browser.context.newPage();
  await table.goto(`${emulator.base}/?layout=table#/setup/directory/api-credentials`);
  const byReader = await until(async () => {
    const v = await viewOf(table);
    return v.client_id && v;
  }, 'the table layout read by the reader');
  assert.equal(byReader.client_id, creds.clientId);
  assert.doesNotMatch(byReader.summary, /layout you showed/);
  assert.ok(byReader.can_teach, 'the page says the layout no longer matches, and offers to be shown again');
  assert.ok((await buttonLabels(table)).includes('Show Keyward the fields'));
  await table.close();
  assert.deepEqual(browser.errors, []);
});
