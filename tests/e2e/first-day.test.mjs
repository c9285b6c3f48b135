// A P14E admin's first day with Keyward, walked as they would, in one browser: the first read of a
// key that has been in use for years (its age unknown until they say when it was created), a region
// no probe settled and then chosen by hand, Options refusing a value and keeping what was typed,
// Forget and Undo, a renewal whose new key is copied before Save and verified after it, searches
// with accents and as "Last, First", an export opened as a CSV, a pause, and PingOne going away
// and coming back. Firefox walks the same day in `firefox.test.mjs`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  admin,
  clipboard,
  closeGate,
  configure,
  createUser,
  csvRows,
  directoryGet,
  download,
  failNext,
  focusHelper,
  launch,
  openGate,
  pageText,
  popupReady,
  presetLocalBase,
  pressHelper,
  sandboxCredentials,
  startEmulator,
  storedAccounts,
  until,
  untilParked,
} from './harness.mjs';

const DAY = 86_400_000;
let browser;
let emulator;
let creds;
let console_;

before(async () => {
  emulator = await startEmulator(['--users', '2500']);
  browser = await launch('chrome-dev');
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await presetLocalBase(browser, emulator.base);
  creds = await sandboxCredentials(emulator.base);
  // Someone the admin will look for, with a name a spreadsheet must not garble.
  await createUser(emulator.base, creds, 'a.nunez@example.org', 'Amélie', 'Núñez');
});
after(async () => {
  await browser?.close();
  await emulator?.stop();
});

async function openPopup() {
  const popup = await browser.context.newPage();
  await popup.goto(browser.url('popup.html'));
  await popupReady(popup);
  return popup;
}

const account = (popup) => popup.locator(`li[data-client-id="${creds.clientId}"]`);
const badge = () => browser.worker.evaluate(() => chrome.action.getBadgeText({}));
const disabled = (node) => node?.properties?.some((p) => p.name === 'disabled' && p.value.value);

async function helperNode(page, name) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    return nodes.find((n) => n.role?.value === 'button' && n.name?.value === name);
  } finally {
    await cdp.detach();
  }
}

test('the first read: no region settles, the admin chooses it and the page uses it at once', async () => {
  // The account's own region refuses the first probe; the public regions are out of reach here.
  await failNext(emulator.base, { count: 1, status: 401, path_contains: '/directory/user?' });
  console_ = await browser.context.newPage();
  await console_.goto(`${emulator.base}/#/setup/directory/api-credentials`);
  await console_.click('#reveal-key');
  // The search ends in a clear state, and the page says why curl cannot be copied yet.
  const curl = await until(async () => {
    const node = await helperNode(console_, 'Copy curl');
    return disabled(node) && /Choose it in Keyward's popup/.test(node.description?.value ?? '') && node;
  }, 'Copy curl waiting for the region', 30_000);
  assert.ok(curl);
  // A keyboard user waits on "Copy Client ID" meanwhile: the helpers drawn again keep them there.
  await focusHelper(console_, 'Copy Client ID');
  const popup = await openPopup();
  assert.equal(await account(popup).locator('select.kw-region option:checked').innerText(), 'Region unknown — choose');
  await account(popup).locator('select.kw-region').selectOption('local');
  await popup.getByText('Saved.').waitFor();
  // Used at once: the page's helper comes alive without a reload.
  await until(async () => !disabled(await helperNode(console_, 'Copy curl')), 'Copy curl enabled');
  await popup.close();
  await console_.keyboard.press('Enter');
  await until(async () => (await clipboard(console_)) === creds.clientId, 'the Client ID copied from where focus stayed');
  assert.deepEqual(browser.errors, []);
});

test('a key in use for years: its age is unknown until the admin says, then the reminders are right', async () => {
  const today = new Date().toISOString().slice(0, 10);
  await until(async () => (await pageText(console_)).includes(`Key age unknown — first seen ${today}: due for review.`), 'the banner');
  assert.doesNotMatch(await pageText(console_), /Key age 0 days/);
  await until(async () => (await badge()) === '?', 'the badge asks');
  // One reminder, which leads to where the date is given (Options), not to the console.
  const notes = await until(async () => {
    const all = await browser.worker.evaluate(() => chrome.notifications.getAll());
    return Object.keys(all).length > 0 && all;
  }, 'the reminder');
  assert.deepEqual(Object.keys(notes), [`keyward-date:${creds.clientId}`]);
  const popup = await openPopup();
  assert.match(await account(popup).innerText(), new RegExp(`Key age unknown — first seen ${today}`));
  // A slip (a date still to come) is refused, and what was typed stays to be corrected.
  const question = account(popup).getByLabel('When was this key created or last renewed?');
  const tomorrow = new Date(Date.now() + 2 * DAY).toISOString().slice(0, 10);
  await question.fill(tomorrow);
  await account(popup).getByRole('button', { name: `Save the key date of ${creds.clientId}` }).click();
  await popup.getByText('Not saved: the date cannot be in the future.').waitFor();
  assert.equal(await question.inputValue(), tomorrow, 'the date typed is kept');
  const created = new Date(Date.now() - 200 * DAY).toISOString().slice(0, 10);
  await question.fill(created);
  await account(popup).getByRole('button', { name: `Save the key date of ${creds.clientId}` }).click();
  await popup.getByText('Saved.').waitFor();
  assert.match(await account(popup).innerText(), /Key age 200 days: overdue for renewal by 110 days\./);
  assert.equal(await account(popup).getByLabel('When was this key created or last renewed?').count(), 0, 'asked once');
  await until(async () => (await badge()) === '!', 'the overdue badge');
  await popup.close();
});

test('Options: a refused value keeps everything typed; Forget asks, then Undo brings it all back', async () => {
  const options = await browser.context.newPage();
  await options.goto(browser.url('options.html'));
  const form = options.locator(`form[data-client-id="${creds.clientId}"]`);
  await form.locator('[name=label]').fill('Payroll production');
  await form.locator('[name=colour]').fill('red');
  await form.locator('[name=integrations]').fill('HR sync script');
  await form.getByRole('button', { name: `Save account ${creds.clientId}` }).click();
  await form.getByText('Not saved: the colour must look like #1a2b3c.').waitFor();
  assert.equal(await form.locator('[name=label]').inputValue(), 'Payroll production', 'the label kept');
  assert.equal(await form.locator('[name=integrations]').inputValue(), 'HR sync script', 'the integrations kept');
  await form.locator('[name=colour]').fill('1f6feb');
  await form.getByRole('button', { name: `Save account ${creds.clientId}` }).click();
  await options.getByText('Saved.').waitFor();
  const saved = (await storedAccounts(browser))[creds.clientId];
  assert.deepEqual([saved.label, saved.colour], ['Payroll production', '#1f6feb']);
  // The key's date the admin gave is there to correct later.
  assert.equal(await form.locator('[name=key_date]').inputValue(), new Date(saved.key.since_ms).toISOString().slice(0, 10));

  const forget = form.locator('[data-action=forget]');
  await forget.click();
  assert.ok((await storedAccounts(browser))[creds.clientId], 'one click forgets nothing');
  await forget.click();
  await options.getByText(`Account ${creds.clientId} forgotten.`).waitFor();
  await options.getByRole('button', { name: `Undo: keep account ${creds.clientId}` }).click();
  await until(async () => (await storedAccounts(browser))[creds.clientId]?.label === 'Payroll production', 'the account back');
  assert.deepEqual((await storedAccounts(browser))[creds.clientId].integrations, ['HR sync script']);
  await options.close();
  assert.deepEqual(browser.errors, []);
});

test('a renewal: the new key is copied before Save, verified after it, and the checklist put away', async () => {
  await console_.click('#edit');
  await console_.click('#renew');
  await console_.locator('#new-api-key-value').waitFor();
  const renewed = (await admin(emulator.base, 'GET', 'state')).pending_key;
  await pressHelper(console_, 'Copy new API key (works after Save)');
  await until(async () => (await clipboard(console_)) === renewed, 'the new key on the clipboard');
  await console_.click('#save');
  await until(async () => (await pageText(console_)).includes('New key verified ✓ — the Directory API accepted it.'), 'the new key verified');
  assert.match(await pageText(console_), /HR sync script/);
  await pressHelper(console_, 'Done');
  await until(async () => !(await pageText(console_)).includes('New key verified'), 'the checklist put away');
  creds.apiKey = renewed;
  const popup = await openPopup();
  assert.match(await account(popup).innerText(), /Key age 0 days: due for renewal in 90 days\./);
  await popup.close();
  await until(async () => (await badge()) === '', 'the badge cleared');
});

test('searches: accents ignored, "Last, First" understood', async () => {
  const popup = await openPopup();
  for (const typed of ['amelie', 'Núñez, Amélie', 'nunez']) {
    await popup.fill('#lookup-text', typed);
    await until(async () => (await popup.locator('.kw-title').allInnerTexts()).includes('a.nunez@example.org'), `found by "${typed}"`);
  }
  await popup.close();
});

test('an export opens cleanly as a CSV; a pause stops the count at once', async () => {
  const page = await browser.context.newPage();
  await page.goto(browser.url(`export.html?account=${encodeURIComponent(creds.clientId)}`));
  const summary = () => page.getByTestId('export-summary').innerText();
  await closeGate(emulator.base, { path_contains: '/directory/user?', pass: 1 });
  try {
    await page.getByTestId('export-start').click();
    await until(async () => /Exported [1-9]/.test(await summary()), 'the first page');
    await untilParked(emulator.base);
    await page.getByRole('button', { name: 'Pause' }).click();
    await until(async () => /^Paused at/.test(await summary()), 'paused');
  } finally {
    await openGate(emulator.base);
  }
  const pausedAt = await summary();
  const status = () => page.evaluate(() => chrome.runtime.sendMessage({ type: 'api_status' }));
  await until(async () => {
    const s = await status();
    return s.queued === 0 && s.in_flight === 0;
  }, 'the pages out have landed');
  assert.equal(await summary(), pausedAt, 'the count stopped at the click');
  await page.getByRole('button', { name: 'Resume' }).click();
  const { totalResults } = await (await directoryGet(emulator.base, creds, '/directory/user?count=1')).json();
  await until(async () => (await summary()) === `Complete: ${totalResults.toLocaleString('en-US')} users.`, 'complete', 60_000);
  const csv = await download(page, 'Save CSV', page.getByTestId('export-controls'));
  assert.match(csv.name, new RegExp(`^keyward-${creds.clientId.slice(0, 8)}-users-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  assert.ok(csv.text.startsWith('\u{feff}'), 'UTF-8 with a byte-order mark, for Excel');
  const [header, ...rows] = csvRows(csv.text);
  assert.deepEqual(header.slice(0, 2), ['id', 'userName']);
  assert.ok(header.includes('displayName'));
  assert.equal(rows.length, totalResults);
  const amelie = rows.map((r) => Object.fromEntries(r.map((v, i) => [header[i], v]))).find((r) => r.userName === 'a.nunez@example.org');
  assert.equal(amelie.displayName, 'Amélie Núñez', 'the name whole, from its parts');
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('PingOne goes away and comes back: said plainly, and the popup recovers by itself', async () => {
  await configure(emulator.base, { faults: { reset_share: 1 } });
  const popup = await openPopup();
  try {
    await popup.fill('#lookup-text', 'amelie');
    const failure = popup.getByTestId('lookup-failure');
    await failure.waitFor({ timeout: 30_000 });
    assert.match(await failure.innerText(), /Could not reach PingOne[\s\S]*tries again by itself/);
    assert.doesNotMatch(await failure.innerText(), /Failed to fetch/);
  } finally {
    await configure(emulator.base, { faults: { reset_share: 0 } });
  }
  await until(async () => (await popup.locator('.kw-title').allInnerTexts()).includes('a.nunez@example.org'), 'the results, unasked', 30_000);
  await popup.close();
  await console_.close();
  assert.deepEqual(browser.errors, []);
});
