// Popup lookups against the emulator: search (debounced, one request per typed name), results with
// status, details with local dates and groups, one-key copies, a group's members and count, and a
// key renewed elsewhere making the popup say 401 and offer the fix that works.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clipboard,
  configure,
  directoryGet,
  launchWithSandboxKey,
  popupReady,
  sandboxCredentials,
  screenshotPath,
  storedAccounts,
  until,
} from './harness.mjs';

let browser;
let emulator;
let creds;
const api = async (path) => (await directoryGet(emulator.base, creds, path)).json();
const log = async () => (await (await fetch(`${emulator.base}/_emulator/log`)).json()).recent;

before(async () => {
  ({ emulator, browser, creds } = await launchWithSandboxKey(['--users', '40', '--groups', '4']));
});
after(async () => {
  await browser?.close();
  await emulator?.stop();
});

async function openPopup() {
  const page = await browser.context.newPage();
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto(browser.url('popup.html'));
  await popupReady(page);
  return page;
}

test('typing a name searches once, and the results say who is active', async () => {
  const page = await openPopup();
  const { resources } = await api('/directory/user?sortBy=userName&count=3');
  const target = resources[2];
  const query = target.userName.slice(0, 12);
  await fetch(`${emulator.base}/_emulator/log/reset`, { method: 'POST' });
  // Focus starts in the search box; type like a person.
  await page.keyboard.type(query, { delay: 40 });
  const first = page.getByTestId('result').first();
  await first.waitFor();
  const searches = (await log()).filter((e) => e.path.startsWith('/api/directory/user?'));
  assert.equal(searches.length, 1, `one request for "${query}", not one per letter`);
  assert.match(decodeURIComponent(searches[0].path), new RegExp(`userName sw "${query}"`));
  const titles = await page.locator('.kw-title').allInnerTexts();
  assert.ok(titles.includes(target.userName), `${target.userName} in ${titles}`);
  assert.match(await page.getByTestId('result-count').innerText(), /match/);
  const row = page.getByTestId('result').filter({ hasText: target.userName });
  assert.match(await row.locator('.kw-status').innerText(), target.active ? /Active/ : /Disabled|Pending|Locked/);
  // Saving a region override mounts the screen afresh: the results for the text still in the box
  // stay, without asking the API again.
  const region = page.locator(`select[data-client-id="${creds.clientId}"]`);
  await region.selectOption('eu');
  await page.getByText('Saved.').waitFor();
  assert.equal(await page.inputValue('#lookup-text'), query);
  assert.ok((await page.locator('.kw-title').allInnerTexts()).includes(target.userName), 'the results are still shown');
  assert.equal((await log()).filter((e) => e.path.startsWith('/api/directory/user?')).length, 1, 'and were not asked for again');
  await region.selectOption('local');
  await until(async () => (await storedAccounts(browser))[creds.clientId]?.region === 'local', 'the region back');
  // The console's Users page of the account, and the export page carrying the account.
  assert.equal(await page.getByTestId('users-page').getAttribute('href'), `${emulator.base}/#/users`);
  const [exportTab] = await Promise.all([browser.context.waitForEvent('page'), page.getByTestId('export-link').click()]);
  await exportTab.getByTestId('export-start').waitFor();
  assert.equal(await exportTab.inputValue('#export-account'), creds.clientId);
  await exportTab.close();
  await page.screenshot({ path: screenshotPath('popup-lookup') });
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('keyboard: arrow to a result, copy id, userName and email with one key, open and go back', async () => {
  const page = await openPopup();
  const { resources } = await api('/directory/user?sortBy=userName&count=1');
  const user = resources[0];
  await page.keyboard.type(user.userName);
  await page.getByTestId('result').first().waitFor();
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'kw-open');
  for (const [key, value] of [['i', user.id], ['u', user.userName], ['e', user.emails[0].value]]) {
    await page.keyboard.press(key);
    await until(async () => (await clipboard(page)) === value, `${key} copies ${value}`);
  }
  assert.match(await page.getByTestId('lookup-status').innerText(), /Copied email/);
  await page.keyboard.press('Enter');
  const title = page.getByTestId('detail-title');
  await title.waitFor();
  assert.equal(await title.innerText(), user.userName);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'detail-title', 'focus moves to the detail');
  const detail = await page.getByTestId('detail').innerText();
  // P14E's epoch-millisecond timestamps as local dates, every group, every attribute.
  const created = user['urn:scim:schemas:com_pingone:1.0'].createTimeStamp;
  const local = await page.evaluate((ms) => {
    const d = new Date(ms);
    const pad = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }, created);
  assert.ok(detail.includes(local), `created ${local} in the detail`);
  for (const g of user.groups ?? []) assert.ok(detail.includes(g.display), `group ${g.display}`);
  assert.ok(detail.includes(`All attributes`));
  await page.keyboard.press('Escape');
  await page.getByTestId('result').first().waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.id), user.id, 'focus returns to the row');
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('groups: members and the users/count figure', async () => {
  const page = await openPopup();
  await page.selectOption('#lookup-kind', 'groups');
  await page.fill('#lookup-text', 'Users');
  const row = page.getByTestId('result').filter({ hasText: /^Users/ }).first();
  await row.waitFor();
  await row.locator('.kw-open').click();
  await page.getByTestId('detail').waitFor();
  const { resources } = await api(`/directory/group?filter=${encodeURIComponent('displayName eq "Users"')}`);
  const count = await api(`/directory/group/${resources[0].id}/users/count`);
  assert.equal(await page.getByTestId('user-count').innerText(), `Direct user members (users/count): ${count.users.toLocaleString('en-US')}`);
  assert.match(await page.getByTestId('detail').innerText(), new RegExp(`Members \\(${resources[0].members?.length ?? 0}\\)`));
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('a 429 storm: the popup shows the wait live, then the results', async () => {
  await configure(emulator.base, { retry_after: { mode: 'seconds' }, storm_seconds: 5 });
  const page = await openPopup();
  await page.keyboard.type('a');
  const status = page.getByTestId('lookup-status');
  await until(async () => /^Waiting \d+ s — PingOne rate limit/.test(await status.innerText()), 'the rate-limit line');
  await page.getByTestId('result').first().waitFor({ timeout: 30_000 });
  assert.equal(await status.innerText(), '', 'the line goes once the answer is in');
  await configure(emulator.base, { retry_after: { mode: 'absent' } });
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('faults during lookups: the popup says what happened, and trying again works', async () => {
  // Every answer cut off: PingOne's answer cannot be read; the popup says so and offers a retry.
  await configure(emulator.base, { faults: { truncate_share: 1 } });
  const page = await openPopup();
  await page.keyboard.type('a');
  const failure = page.getByTestId('lookup-failure');
  await failure.waitFor();
  assert.match(await failure.innerText(), /answer could not be read/);
  await configure(emulator.base, { faults: { truncate_share: 0, error_share: 0.5 } });
  // Half the answers 5xx: the scheduler retries them; "Try again" gets results.
  await page.getByRole('button', { name: 'Try again' }).click();
  await page.getByTestId('result').first().waitFor({ timeout: 30_000 });
  await configure(emulator.base, { faults: { error_share: 0 } });
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('the worker stopped mid-lookup: the popup asks again and gets its results', async () => {
  await configure(emulator.base, { faults: { latency_ms: 1500 } });
  const page = await openPopup();
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  await page.keyboard.type('a');
  // Once the search is out (the worker is waiting for PingOne's answer), stop the worker.
  await until(async () => (await page.evaluate(() => chrome.runtime.sendMessage({ type: 'api_status' }))).in_flight > 0, 'the search sent');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await page.getByTestId('result').first().waitFor({ timeout: 30_000 });
  await configure(emulator.base, { faults: { latency_ms: 0 } });
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('a key renewed elsewhere: the popup says 401 and its fix reads the new key', async () => {
  await fetch(`${emulator.base}/_emulator/renew`, { method: 'POST' });
  const page = await openPopup();
  await page.fill('#lookup-text', 'a');
  const failure = page.getByTestId('lookup-failure');
  await failure.waitFor();
  assert.equal(await failure.getAttribute('data-code'), 'unauthorized');
  assert.match(await failure.innerText(), /refused the API key \(401\).*open the API Credentials page/s);
  const [console] = await Promise.all([browser.context.waitForEvent('page'), page.getByTestId('reread').click()]);
  await console.waitForLoadState();
  assert.equal(new URL(console.url()).hash, '#/setup/directory/api-credentials', 'the page the key was read on');
  creds.apiKey = (await sandboxCredentials(emulator.base)).apiKey;
  const renewalsBefore = (await storedAccounts(browser))[creds.clientId].renewals.length;
  await console.click('#reveal-key');
  await until(async () => (await storedAccounts(browser))[creds.clientId].renewals.length > renewalsBefore, 'the new key read');
  // The admin comes back to the popup (it reopens fresh) and searches again: it works.
  await page.bringToFront();
  await page.reload();
  await page.getByTestId('lookup').waitFor();
  await page.fill('#lookup-text', 'a');
  await page.getByTestId('result').first().waitFor();
  await page.close();
  await console.close();
  assert.deepEqual(browser.errors, []);
});
