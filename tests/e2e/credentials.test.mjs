// Reading the API Credentials page in each sandbox layout, the copy helpers (clipboard checked),
// clearing copied secrets only if unchanged, renewal recorded after Edit → Renew → Save, in-app
// navigation, and proof that the key never reaches the page's DOM or window through Keyward.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  admin,
  closeGate,
  emulatorLog,
  openGate,
  popupReady,
  resetLog,
  untilParked,
  clipboard,
  clipboardClearDueNow,
  pendingClears,
  focusHelpers,
  launch,
  presetLocalBase,
  storeSettings,
  screenshotPath,
  startEmulator,
  storedAccounts,
  tabView as viewOf,
  until,
  HELPERS,
  pageText,
  pressHelper,
} from './harness.mjs';

const tabView = (kind) => viewOf(browser, kind);

let browser;
let emulator;
let creds;
before(async () => {
  emulator = await startEmulator(['--users', '20']);
  browser = await launch('chrome-dev');
  await presetLocalBase(browser, emulator.base);
  // Clipboard clearing long enough that no test races it; the clearing test makes it due itself.
  await storeSettings(browser, { clipboard_clear_secs: 600 });
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: emulator.base });
  const state = await admin(emulator.base, 'GET', 'state');
  creds = { clientId: state.client_id, apiKey: state.api_key };
});
after(async () => {
  await browser?.close();
  await emulator?.stop();
});

const accounts = () => storedAccounts(browser);

const open = [];
async function openCredentials(layout) {
  // Close what an earlier (possibly failed) test left open, so tab lookups find this page.
  for (const p of open.splice(0)) await p.close().catch(() => {});
  const page = await browser.context.newPage();
  open.push(page);
  await page.goto(`${emulator.base}/?layout=${layout}#/setup/directory/api-credentials`);
  await page.locator('#api-credentials').waitFor();
  return page;
}

for (const layout of ['table', 'form', 'dl']) {
  test(`${layout} layout: reads the page, masks nothing it should not, copies through the worker`, async () => {
    const page = await openCredentials(layout);
    // Masked: only the Client ID helper.
    await until(() => page.locator(HELPERS).count(), 'the helpers');
    const hidden = await tabView('credentials');
    assert.equal(hidden.client_id, creds.clientId);
    assert.equal(hidden.key, 'hidden');
    assert.match(hidden.summary, /key hidden — reveal it to enable the key helpers/);
    assert.equal(await page.evaluate(() => document.querySelector('[data-keyward-helpers]').shadowRoot), null, 'the shadow root is closed');

    await focusHelpers(page, layout);
    await page.keyboard.press('Enter');
    await until(async () => (await clipboard(page)) === creds.clientId, 'the Client ID on the clipboard');

    // Revealed: every helper.
    await page.click('#reveal-key');
    await until(async () => (await tabView('credentials')).key === 'shown', 'the key read');
    await until(async () => (await accounts())[creds.clientId]?.region === 'local', 'the region detected');
    const expected = [
      creds.clientId,
      creds.apiKey,
      `Authorization: Basic ${Buffer.from(`${creds.clientId}:${creds.apiKey}`).toString('base64')}`,
    ];
    await focusHelpers(page, layout, 'Copy API key');
    for (const [i, text] of expected.entries()) {
      if (i > 0) await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await until(async () => (await clipboard(page)) === text, `copy #${i + 1}`);
    }
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const curl = await until(async () => {
      const text = await clipboard(page);
      return text.startsWith('curl ') && text;
    }, 'the curl command');
    assert.ok(curl.includes(`${emulator.base}/api/directory/user?count=1`), 'curl targets the account region');
    await page.screenshot({ path: screenshotPath(`credentials-${layout}`) });
    await page.close();
    assert.deepEqual(browser.errors, []);
  });
}

for (const layout of ['grid', 'aria', 'shadow', 'iframe']) {
  test(`${layout} layout: the Client ID and the key are read, and the helpers drawn beside them`, async () => {
    const page = await openCredentials(layout);
    await page.click('#reveal-key');
    const view = await until(async () => {
      const v = await tabView('credentials');
      return v.key === 'shown' && v;
    }, 'the key read');
    assert.equal(view.client_id, creds.clientId);
    const kept = await browser.worker.evaluate(async () => (await chrome.storage.session.get('keys')).keys ?? {});
    assert.equal(kept[creds.clientId], creds.apiKey, 'the key read is the key');
    // The helpers are drawn where the fields are: in the frame's document for the iframe layout.
    const where = layout === 'iframe' ? page.frames().find((f) => f !== page.mainFrame()) : page;
    await until(() => where.locator(HELPERS).count(), 'the helpers beside the fields');
    await page.close();
    assert.deepEqual(browser.errors, []);
  });
}

test('a renewal in progress changes nothing until Save; Cancel changes nothing', async () => {
  const kept = async () => (await browser.worker.evaluate(async () => (await chrome.storage.session.get('keys')).keys ?? {}))[creds.clientId];
  const page = await openCredentials('table');
  await page.click('#reveal-key');
  await until(async () => (await kept()) === creds.apiKey, 'the key in force kept');
  const before = (await accounts())[creds.clientId];
  // Edit → Renew: the new key shows beside the old one; Keyward still holds the old one.
  await page.click('#edit');
  await page.click('#renew');
  const pending = (await admin(emulator.base, 'GET', 'state')).pending_key;
  await page.locator('#new-api-key-value').waitFor();
  await until(async () => /A renewed key is shown/.test((await tabView('credentials')).summary), 'the renewal in progress seen');
  assert.equal(await kept(), creds.apiKey, 'the key held is still the one in force');
  assert.deepEqual((await accounts())[creds.clientId].renewals, before.renewals, 'no renewal recorded yet');
  // Cancel: nothing changes.
  await page.click('#cancel');
  await page.locator('#edit').waitFor();
  await until(async () => !/A renewed key is shown/.test((await tabView('credentials')).summary), 'the renewal dropped');
  assert.equal((await admin(emulator.base, 'GET', 'state')).api_key, creds.apiKey);
  assert.equal(await kept(), creds.apiKey);
  assert.deepEqual((await accounts())[creds.clientId].renewals, before.renewals, 'Cancel records nothing');
  // Edit → Renew → Save: the new key is taken and its age starts now.
  await page.click('#edit');
  await page.click('#renew');
  const renewed = (await admin(emulator.base, 'GET', 'state')).pending_key;
  assert.notEqual(renewed, pending);
  await page.locator('#new-api-key-value').waitFor();
  const saved = Date.now();
  await page.click('#save');
  await until(async () => (await kept()) === renewed, 'the new key taken at Save');
  const account = (await accounts())[creds.clientId];
  assert.equal(account.renewals.length, before.renewals.length + 1);
  assert.ok(account.key.since_ms >= saved, 'the key age restarts at Save');
  creds.apiKey = renewed;
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('a renewal takes effect at once: a lookup sent with the old key goes again with the new one, which is verified', async () => {
  const kept = async () => (await browser.worker.evaluate(async () => (await chrome.storage.session.get('keys')).keys ?? {}))[creds.clientId];
  const page = await openCredentials('table');
  await page.click('#reveal-key');
  await until(async () => (await kept()) === creds.apiKey, 'the key in force kept');
  await until(async () => (await accounts())[creds.clientId]?.region === 'local', 'the region found');
  // A lookup goes out with the key in force and is held at the emulator's gate.
  await resetLog(emulator.base);
  await closeGate(emulator.base, { path_contains: '/directory/user?', pass: 0 });
  const popup = await browser.context.newPage();
  try {
    await popup.goto(browser.url('popup.html'));
    await popupReady(popup);
    await popup.fill('#lookup-text', 'a');
    await untilParked(emulator.base);
    // Meanwhile the admin renews the key: Edit → Renew → Save. The old key stops working.
    await page.click('#edit');
    await page.click('#renew');
    await page.locator('#new-api-key-value').waitFor();
    const renewed = (await admin(emulator.base, 'GET', 'state')).pending_key;
    // Before Save, the renewed key has its own helpers: the admin can stage it in an integration.
    await pressHelper(page, 'Copy new API key (works after Save)');
    await until(async () => (await clipboard(page)) === renewed, 'the renewed key on the clipboard');
    await page.click('#save');
    await until(async () => (await kept()) === renewed, 'the new key taken at Save');
    creds.apiKey = renewed;
  } finally {
    await openGate(emulator.base);
  }
  // The held lookup is answered 401 (the old key) and goes again with the new one: results, no error.
  await popup.getByTestId('result-count').waitFor();
  assert.equal(await popup.getByTestId('lookup-failure').count(), 0);
  const statuses = (await emulatorLog(emulator.base)).recent.filter((e) => e.path.includes('filter=')).map((e) => e.status);
  assert.deepEqual(statuses, [401, 200], 'the old key refused once, the new one answered');
  // The new key was checked against the API right after Save, and the admin is told.
  const verified = await until(async () => {
    const view = await tabView('credentials');
    return /New key verified ✓ — the Directory API accepted it\./.test(view.summary) && view;
  }, 'the new key verified');
  assert.match(verified.summary, /API Credentials page/);
  // The page says so beside the checklist, which the admin puts away with Done.
  await until(async () => (await pageText(page)).includes('New key verified ✓ — the Directory API accepted it.'), 'the check said on the page');
  await pressHelper(page, 'Done');
  await until(async () => !(await pageText(page)).includes('New key verified'), 'the checklist put away');
  await popup.close();
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('without the clipboard check a due clear empties nothing unasked: Keyward offers to, and the popup empties it', async () => {
  const page = await openCredentials('table');
  await page.click('#reveal-key');
  await until(() => page.locator(HELPERS).count(), 'the helpers');
  await until(async () => (await tabView('credentials')).key === 'shown', 'the key read');
  await focusHelpers(page, 'table', 'Copy API key');
  await page.keyboard.press('Tab'); // Copy API key
  await page.keyboard.press('Enter');
  await until(async () => (await clipboard(page)) === creds.apiKey, 'the key on the clipboard');
  // Keyward cannot see the clipboard (no clipboardRead): it may hold something newer by now.
  await clipboardClearDueNow(browser);
  assert.equal(await clipboard(page), creds.apiKey, 'nothing emptied without a look or a word');
  const offer = () => browser.worker.evaluate(async () => Object.keys(await chrome.notifications.getAll()).includes('keyward-clipboard-ask'));
  assert.equal(await offer(), true, 'a notification offers to empty the clipboard');
  // The notification may be missed or blocked: the popup makes the same offer.
  const popup = await browser.context.newPage();
  await popup.goto(browser.url('popup.html'));
  await popup.getByRole('button', { name: 'Empty the clipboard' }).click();
  await until(async () => (await clipboard(page)) === '', 'the clipboard emptied');
  await until(() => popup.getByText('The clipboard is empty.').count(), 'the popup says so');
  assert.equal(await offer(), false, 'the offer withdrawn');
  assert.equal(await popup.getByRole('button', { name: 'Empty the clipboard' }).count(), 0);
  await popup.close();
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test("each copied secret has its own clear: a second copy's clear waits for its own time", async () => {
  const page = await openCredentials('table');
  await page.click('#reveal-key');
  await until(async () => (await tabView('credentials')).key === 'shown', 'the key read');
  const header = `Authorization: Basic ${Buffer.from(`${creds.clientId}:${creds.apiKey}`).toString('base64')}`;
  await focusHelpers(page, 'table', 'Copy API key');
  await page.keyboard.press('Tab'); // Copy API key
  await page.keyboard.press('Enter');
  await until(async () => (await clipboard(page)) === creds.apiKey, 'copy A: the key');
  await page.keyboard.press('Tab'); // Copy Authorization header
  await page.keyboard.press('Enter');
  await until(async () => (await clipboard(page)) === header, 'copy B: the header');
  assert.equal((await pendingClears(browser)).length, 2, 'one clear per copy');
  await clipboardClearDueNow(browser, 0);
  assert.equal((await pendingClears(browser)).length, 1, "B's clear is still pending after A's");
  assert.equal(await clipboard(page), header, 'B untouched');
  await clipboardClearDueNow(browser, 0);
  assert.equal((await pendingClears(browser)).length, 0);
  await browser.worker.evaluate(() => chrome.notifications.clear('keyward-clipboard-ask'));
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('Edit → Renew → Save records a renewal; navigation away and back is followed', async () => {
  const page = await openCredentials('dl');
  await until(() => page.locator(HELPERS).count(), 'the helpers');
  const before = (await accounts())[creds.clientId];
  await page.click('#edit');
  await page.click('#renew');
  await page.locator('.pending').waitFor();
  await page.click('#save');
  await page.locator('#edit').waitFor();
  const account = await until(async () => {
    const a = (await accounts())[creds.clientId];
    return a?.renewals?.length > (before?.renewals?.length ?? 0) && a;
  }, 'the renewal recorded');
  assert.ok(account.key.since_ms >= account.renewals.at(-1), 'the key clock restarted');
  creds.apiKey = (await admin(emulator.base, 'GET', 'state')).api_key;

  await page.click('text=Dashboard');
  await until(async () => (await page.locator(HELPERS).count()) === 0, 'the helpers to go');
  assert.equal((await tabView('console')).page, 'Dashboard');
  await page.goBack();
  await until(() => page.locator(HELPERS).count(), 'the helpers back');
  await page.close();
});

test('the decoy SSO credentials page is never read', async () => {
  const page = await browser.context.newPage();
  await page.goto(`${emulator.base}/#/account/integration/credentials`);
  const view = await tabView('sso_credentials');
  assert.match(view.summary, /not the Directory API credential/);
  assert.equal(await page.locator(HELPERS).count(), 0);
  await page.close();
});

test('the key never reaches the page through Keyward', async () => {
  const page = await openCredentials('table');
  await page.click('#reveal-key');
  await until(async () => (await tabView('credentials')).key === 'shown', 'the key read');
  await focusHelpers(page, 'table', 'Copy API key');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await until(async () => (await clipboard(page)) === creds.apiKey, 'the key copied');
  await page.click('#reveal-key'); // hide it again: now the page itself shows no key
  await page.locator('.masked').waitFor();
  const leaks = await page.evaluate((key) => {
    const found = [];
    if (document.documentElement.outerHTML.includes(key)) found.push('DOM');
    for (const input of document.querySelectorAll('input, textarea')) if (input.value.includes(key)) found.push('input');
    for (const name of Object.getOwnPropertyNames(window)) {
      try {
        const v = window[name];
        if (typeof v === 'string' && v.includes(key)) found.push(`window.${name}`);
      } catch {
        // Some properties throw on access.
      }
    }
    if (location.href.includes(key)) found.push('URL');
    return found;
  }, creds.apiKey);
  assert.deepEqual(leaks, []);
  await page.close();
});

test('the popup lists the account with its region and whether the key was read', async () => {
  const popup = await browser.context.newPage();
  await popup.goto(browser.url('popup.html'));
  const item = popup.locator(`li[data-client-id="${creds.clientId}"]`);
  await item.waitFor();
  assert.match(await item.locator(".kw-meta").innerText(), /Region: Local emulator · key read: (yes|no)/);
  await popup.screenshot({ path: screenshotPath('popup-accounts') });
  await popup.close();
});

test('credentials entered by hand in the popup are checked, kept, and get a region; the region can be overridden', async () => {
  const popup = await browser.context.newPage();
  await popup.goto(browser.url('popup.html'));
  await popup.getByText('Enter the credentials by hand').click();
  await popup.fill('#manual-client-id', '<script>');
  await popup.fill('#manual-api-key', creds.apiKey);
  await popup.getByRole('button', { name: 'Save' }).click();
  await popup.getByRole('alert').waitFor();
  assert.match(await popup.getByRole('alert').innerText(), /Not saved: the Client ID should be a UUID/);

  // A second account, typed in: the emulator accepts only its own, so use those.
  await popup.getByText('Enter the credentials by hand').click();
  await popup.fill('#manual-client-id', creds.clientId);
  await popup.fill('#manual-api-key', creds.apiKey);
  await popup.getByRole('button', { name: 'Save' }).click();
  await popup.getByText('Saved.').waitFor();
  await until(async () => (await storedAccounts(browser))[creds.clientId]?.region === 'local', 'the region detected');

  await popup.reload();
  const select = popup.locator(`select[data-client-id="${creds.clientId}"]`);
  await select.selectOption('eu');
  await until(async () => (await storedAccounts(browser))[creds.clientId]?.region === 'eu', 'the override stored');
  await select.selectOption('local');
  await until(async () => (await storedAccounts(browser))[creds.clientId]?.region === 'local', 'the override back');
  await popup.close();
  assert.deepEqual(browser.errors, []);
});

test('turning session key storage off forgets every kept key at once', async () => {
  const sessionKeys = () => browser.worker.evaluate(async () => (await chrome.storage.session.get('keys')).keys ?? {});
  const page = await openCredentials('table');
  await page.click('#reveal-key');
  await until(async () => Object.keys(await sessionKeys()).length > 0, 'a key kept for lookups');
  const options = await browser.context.newPage();
  await options.goto(browser.url('options.html'));
  await options.uncheck('#session-keys');
  await options.locator('form[data-form=security] button').click();
  await options.locator('form[data-form=security]').getByText('Saved.').waitFor();
  await until(async () => Object.keys(await sessionKeys()).length === 0, 'the kept keys forgotten');
  // Re-reading the page keeps nothing now.
  await page.click('#reveal-key');
  await page.click('#reveal-key');
  await until(async () => (await tabView('credentials')).key === 'shown', 'the key read again');
  assert.deepEqual(await sessionKeys(), {});
  await options.check('#session-keys');
  await options.locator('form[data-form=security] button').click();
  await options.close();
  await page.close();
});

test('integrations recorded in the options page form the cut-over checklist in Edit mode; accounts can be forgotten', async () => {
  const page = await openCredentials('table');
  await until(() => page.locator(HELPERS).count(), 'the helpers');
  const options = await browser.context.newPage();
  await options.goto(browser.url('options.html'));
  const form = options.locator(`form[data-form=account][data-client-id="${creds.clientId}"]`);
  await form.locator('[name=label]').fill('Production EU');
  await form.locator('[name=colour]').fill('#cf22');
  await form.locator('[name=production]').check();
  await form.locator('[name=integrations]').fill('PingFederate PCV\nHR sync script');
  await form.getByRole('button', { name: 'Save' }).click();
  // Refused: the form says why and keeps everything typed.
  await form.getByRole('alert').waitFor();
  assert.match(await form.getByRole('alert').innerText(), /colour must look like #1a2b3c/);
  assert.deepEqual(
    [await form.locator('[name=label]').inputValue(), await form.locator('[name=colour]').inputValue(), await form.locator('[name=production]').isChecked(), await form.locator('[name=integrations]').inputValue()],
    ['Production EU', '#cf22', true, 'PingFederate PCV\nHR sync script'],
  );
  // A colour without its "#" is taken as it can only be meant.
  await form.locator('[name=colour]').fill('CF222E');
  await form.getByRole('button', { name: 'Save' }).click();
  await options.getByText('Saved.').waitFor();
  const stored = (await storedAccounts(browser))[creds.clientId];
  assert.deepEqual([stored.label, stored.colour, stored.production, stored.integrations], ['Production EU', '#cf222e', true, ['PingFederate PCV', 'HR sync script']]);
  await options.reload();
  assert.equal(await options.locator(`form[data-client-id="${creds.clientId}"] [name=label]`).inputValue(), 'Production EU', 'options round-trip');

  // The guard lives in the closed shadow root: check it through what the worker planned.
  const plan = browser.worker.evaluate(
    () =>
      new Promise((resolve) => {
        chrome.runtime.onMessage.addListener(function probe(message, sender, sendResponse) {
          if (message.type === 'page_snapshot' && message.snapshot.buttons.includes('Renew')) {
            chrome.runtime.onMessage.removeListener(probe);
            resolve(true);
          }
        });
      }),
  );
  await page.click('#edit');
  await plan;
  // The checklist is in a closed shadow root; the browser's accessibility tree still shows it.
  const cdp = await browser.context.newCDPSession(page);
  const names = await until(async () => {
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const all = nodes.map((n) => n.name?.value ?? '').join('\n');
    return all.includes('HR sync script') && all;
  }, 'the cut-over checklist');
  assert.match(names, /Renewing breaks every integration that uses this key/);
  assert.match(names, /PingFederate PCV/);
  await cdp.detach();
  const popup = await browser.context.newPage();
  await popup.goto(browser.url('popup.html'));
  const item = popup.locator(`li[data-client-id="${creds.clientId}"]`);
  await item.waitFor();
  assert.match(await item.innerText(), /Production account/);
  assert.match(await item.innerText(), /Production EU/);
  await popup.close();
  await page.click('#cancel');
  // A page that shows the credential would record the account again: leave it first, and let the
  // worker see the page that no longer shows it (its reports are handled in order).
  await page.click('text=Dashboard');
  await until(async () => (await tabView('console'))?.page === 'Dashboard', 'the console page left');

  // Forgetting is for good: the first click only asks.
  const forget = options.locator(`form[data-client-id="${creds.clientId}"] [data-action=forget]`);
  await forget.click();
  assert.match(await forget.innerText(), /Click again to forget this account/);
  assert.ok((await storedAccounts(browser))[creds.clientId], 'one click forgets nothing');
  await forget.click();
  await until(async () => !(await storedAccounts(browser))[creds.clientId], 'the account forgotten');
  // Undo brings it back as it was, label and integrations included; then forget it for good.
  await options.getByRole('button', { name: `Undo: keep account ${creds.clientId}` }).click();
  await until(async () => (await storedAccounts(browser))[creds.clientId]?.label === 'Production EU', 'the account back');
  assert.deepEqual((await storedAccounts(browser))[creds.clientId].integrations, ['PingFederate PCV', 'HR sync script']);
  const again = options.locator(`form[data-client-id="${creds.clientId}"] [data-action=forget]`);
  await again.click();
  await again.click();
  await until(async () => !(await storedAccounts(browser))[creds.clientId], 'the account forgotten again');
  await options.close();
  await page.close();
  assert.deepEqual(browser.errors, []);
});
