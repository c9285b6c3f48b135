// The popup never contradicts the worker: opened right after a credentials page was read, it lists
// the account — "finding region…" while the region probes are still out (held at the emulator's
// gate), "region unknown — choose" once they failed — and never "No PingOne for Enterprise account
// seen yet". Each case reads a generated page (tests/emulator/src/layouts.rs), a fresh account.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, closeGate, launch, openGate, presetLocalBase, startEmulator, storedAccounts, until, untilParked } from './harness.mjs';

const SEED = 1129;
let browser;
let emulator;

before(async () => {
  emulator = await startEmulator(['--users', '3']);
  browser = await launch('chrome-dev');
  await presetLocalBase(browser, emulator.base);
});
after(async () => {
  await browser?.close();
  await emulator?.stop();
});

/** Generated pages shown at once, key in view, not decoys: a fresh account each. */
async function* plainPages() {
  for (let index = 0; ; index++) {
    const spec = await admin(emulator.base, 'GET', `layout?seed=${SEED}&index=${index}`);
    if (spec.delivery === 'immediate' && !spec.decoy && !spec.new_key) yield { spec, index };
  }
}
const pages = plainPages();

async function readPage() {
  const { value: { spec, index } } = await pages.next();
  const page = await browser.context.newPage();
  await page.goto(`${emulator.base}/layout.html?seed=${SEED}&index=${index}#/setup/directory/api-credentials`);
  await until(async () => (await storedAccounts(browser))[spec.client_id], 'the account read');
  return { spec, page };
}

async function popupAccount(clientId) {
  const popup = await browser.context.newPage();
  await popup.goto(browser.url('popup.html'));
  const item = popup.locator(`li[data-client-id="${clientId}"]`);
  await item.waitFor();
  assert.equal(await popup.getByTestId('empty-state').count(), 0, 'never "no account seen yet"');
  return { popup, item };
}

test('probes still out: the popup lists the account, finding its region', async () => {
  // The region probes (one `count=1` list per region) wait at the gate.
  await closeGate(emulator.base, { path_contains: 'startIndex=1&count=1' });
  const { spec, page } = await readPage();
  await untilParked(emulator.base);
  const { popup, item } = await popupAccount(spec.client_id);
  assert.match(await item.locator('.kw-meta').innerText(), /Region: finding region…/);
  assert.equal(await item.locator('select.kw-region option:checked').innerText(), 'Finding region…');
  await openGate(emulator.base);
  await popup.close();
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('no region accepts the credential: the popup lists the account and offers the choice', async () => {
  // The emulator knows no generated account: its probe answers 401, the real hosts are unreachable.
  const { spec, page } = await readPage();
  const popup = await until(async () => {
    const { popup, item } = await popupAccount(spec.client_id);
    if (/unknown — choose/.test(await item.locator('.kw-meta').innerText())) return popup;
    await popup.close();
    return null;
  }, 'the region search to end');
  const item = popup.locator(`li[data-client-id="${spec.client_id}"]`);
  assert.equal(await item.locator('select.kw-region option:checked').innerText(), 'Region unknown — choose');
  // On the page, the helpers that need the region are disabled and say why (through the
  // accessibility tree, which sees into their closed shadow root).
  const cdp = await page.context().newCDPSession(page);
  const helper = async (name) => {
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    return nodes.find((n) => n.role?.value === 'button' && n.name?.value === name);
  };
  const curl = await until(async () => {
    const node = await helper('Copy curl');
    return node?.properties?.some((p) => p.name === 'disabled' && p.value.value) && node;
  }, 'Copy curl shown disabled');
  assert.match(curl.description?.value ?? '', /no region accepted the key\. Choose it in Keyward's popup/);
  assert.ok(!(await helper('Copy API key')).properties?.some((p) => p.name === 'disabled' && p.value.value), 'the key itself still copies');
  await cdp.detach();
  // What each region answered: the emulator refused the credential; the public hosts are out of reach.
  const answers = await item.getByTestId('region-answers').locator('li').allInnerTexts();
  assert.deepEqual(answers, [
    'Local emulator: refused the credential (401)',
    'North America: could not be reached (or redirected elsewhere)',
    'Europe: could not be reached (or redirected elsewhere)',
    'Australia: could not be reached (or redirected elsewhere)',
  ]);
  await popup.close();
  await page.close();
  assert.deepEqual(browser.errors, []);
});
