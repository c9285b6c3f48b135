// The shipped store build (dist/chrome) on the real hostnames: the sandbox console served at
// https://admin.pingone.com/web-portal/ and the emulator answering for
// https://directory-api.pingone.com/api, both through Playwright's context.route. Reading, copy
// helpers and region detection must work exactly as they will for an admin.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HELPERS, REAL_API as API, REAL_CONSOLE as CONSOLE, admin, clipboard, focusHelpers, launchSite, storedAccounts, tabView, until } from './harness.mjs';

let browser;
let emulator;
let state;

before(async () => {
  ({ emulator, browser } = await launchSite('chrome', ['--users', '10']));
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: CONSOLE });
  state = await admin(emulator.base, 'GET', 'state');
});
after(async () => {
  await browser?.close();
  await emulator?.stop();
});

test('the store build reads the real console URL, finds the NA region and copies region-correct text', async () => {
  const page = await browser.context.newPage();
  await page.goto(`${CONSOLE}/web-portal/#/setup/directory/api-credentials`);
  await page.locator('#api-credentials').waitFor();
  await until(() => page.locator(HELPERS).count(), 'the helpers');
  await page.click('#reveal-key');
  const view = await until(async () => {
    const v = await tabView(browser, 'credentials');
    return v.key === 'shown' && v;
  }, 'the key read');
  assert.equal(view.client_id, state.client_id);
  const account = await until(async () => {
    const a = (await storedAccounts(browser))[state.client_id];
    return a?.region && a;
  }, 'the region detected');
  assert.equal(account.region, 'na', 'only the NA host accepted the credential');

  await focusHelpers(page, 'table', 'Copy API key');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab'); // Copy curl
  await page.keyboard.press('Enter');
  const curl = await until(async () => {
    const text = await clipboard(page);
    return text.startsWith('curl ') && text;
  }, 'the curl command');
  assert.ok(curl.includes(`'${API}/api/directory/user?count=1'`), curl.replace(state.api_key, '<key>'));
  await page.close();
  assert.deepEqual(browser.errors, []);
});
