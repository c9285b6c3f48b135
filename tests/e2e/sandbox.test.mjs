// The sandbox console replica: its routes, its three layouts, its decoy, and Edit → Renew → Save
// renewing the key in the emulator (the old key stops working at once).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, admin, startEmulator, until } from './harness.mjs';

let emulator;
let browser;
before(async () => {
  emulator = await startEmulator(['--users', '5']);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  await emulator?.stop();
});

const state = () => admin(emulator.base, 'GET', 'state');
const apiStatus = async (clientId, key) =>
  (await fetch(`${emulator.base}/api/directory/user?count=1`, {
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${key}`).toString('base64')}` },
  })).status;

async function open(path, layout = 'table') {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${emulator.base}/?layout=${layout}#${path}`);
  return { page, errors };
}

test('the console says it is a local sandbox and follows hash routes', async () => {
  const { page, errors } = await open('/dashboard');
  assert.match(await page.locator('.sandbox-bar').innerText(), /Local sandbox — not PingOne/);
  assert.deepEqual(await page.locator('nav[aria-label=Main] a').allInnerTexts(), ['Dashboard', 'Applications', 'Users', 'Setup', 'Account']);
  await page.click('text=Setup');
  await page.click('text=API Credentials');
  await page.locator('#api-credentials').waitFor();
  assert.equal(new URL(page.url()).hash, '#/setup/directory/api-credentials');
  await page.close();
  assert.deepEqual(errors, []);
});

test("the sandbox's strict switch turns the emulator's strict profile on and off", async () => {
  const { page, errors } = await open('/dashboard');
  const { client_id: clientId, api_key: key } = await state();
  const escaped = async () =>
    (await fetch(`${emulator.base}/api/directory/user?filter=${encodeURIComponent('userName sw "a\\"b"')}`, {
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${key}`).toString('base64')}` },
    })).status;
  const box = page.getByLabel(/Strict Directory API/);
  assert.equal(await box.isChecked(), false);
  assert.equal(await escaped(), 200);
  await box.check();
  await until(async () => (await state()).strict, 'the strict profile on');
  assert.equal(await escaped(), 400, 'an escape in a value refused');
  await page.reload();
  await until(() => page.getByLabel(/Strict Directory API/).isChecked(), 'the switch showing the profile in force');
  await page.getByLabel(/Strict Directory API/).uncheck();
  await until(async () => !(await state()).strict, 'the strict profile off');
  assert.equal(await escaped(), 200);
  await page.close();
  assert.deepEqual(errors, []);
});

test('each layout shows the Client ID and a masked key with a reveal control', async () => {
  const { client_id: clientId, api_key: apiKey } = await state();
  for (const layout of ['table', 'form', 'dl']) {
    const { page, errors } = await open('/setup/directory/api-credentials', layout);
    const panel = page.locator('#api-credentials');
    await panel.waitFor();
    const text = await panel.innerText();
    const values = await panel.evaluate((el) => [...el.querySelectorAll('input')].map((i) => i.value).join(' '));
    assert.ok(`${text} ${values}`.includes(clientId), `${layout}: Client ID shown`);
    assert.ok(!text.includes(apiKey), `${layout}: the key is masked`);
    assert.match(text, /API [Kk]ey/);
    await page.click('#reveal-key');
    const shown = layout === 'form' ? await page.inputValue('#apiKey') : await page.locator('#api-key-value').innerText();
    assert.equal(shown, apiKey, `${layout}: Show reveals the key`);
    if (layout === 'form') assert.equal(await page.getAttribute('#apiKey', 'type'), 'text');
    await page.close();
    assert.deepEqual(errors, []);
  }
});

test('Edit → Renew → Save renews the key; Cancel keeps it', async () => {
  const before = await state();
  const { page, errors } = await open('/setup/directory/api-credentials');
  await page.click('#edit');
  await page.click('#renew');
  await page.locator('.pending').waitFor();
  await page.click('#cancel');
  await page.locator('#edit').waitFor();
  assert.equal((await state()).api_key, before.api_key, 'Cancel keeps the key');

  await page.click('#edit');
  await page.click('#renew');
  await page.locator('.pending').waitFor();
  const pending = (await state()).pending_key;
  assert.equal(await page.locator('#new-api-key-value').innerText(), pending, 'the new key is shown before Save');
  assert.equal(await page.locator('#api-key-value').innerText(), before.api_key, 'next to the key in force');
  assert.equal(await apiStatus(before.client_id, before.api_key), 200, 'the old key works until Save');
  await page.click('#save');
  await page.locator('#edit').waitFor();
  const after = await state();
  assert.equal(after.api_key, pending);
  assert.equal(await apiStatus(before.client_id, before.api_key), 401, 'the old key stops working at once');
  assert.equal(await apiStatus(after.client_id, after.api_key), 200);
  await page.close();
  assert.deepEqual(errors, []);
});

test('the decoy page shows SSO REST API credentials, not the Directory credential', async () => {
  const { page } = await open('/account/integration/credentials');
  const text = await page.locator('main').innerText();
  assert.match(text, /REST API Client ID/);
  assert.match(text, /REST API Client Secret/);
  assert.ok(!text.includes((await state()).client_id));
  await page.close();
});
