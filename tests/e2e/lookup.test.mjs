// Popup lookups against the emulator: search (debounced, one request per typed name), results with
// status, details with local dates and groups, one-key copies, a group's members and count, and a
// key renewed elsewhere making the popup say 401 and offer the fix that works.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  admin,
  clipboard,
  closeGate,
  configure,
  createUser,
  directoryGet,
  emulatorLog,
  failNext,
  launchWithSandboxKey,
  openGate,
  popupReady,
  resetLog,
  sandboxCredentials,
  screenshotPath,
  stopWorker,
  storedAccounts,
  until,
  untilParked,
} from './harness.mjs';

let browser;
let emulator;
let creds;
const api = async (path) => (await directoryGet(emulator.base, creds, path)).json();
const log = async () => (await emulatorLog(emulator.base)).recent;
const userSearches = async () => (await log()).filter((e) => e.path.startsWith('/api/directory/user?'));

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
  // The popup's clock is the test's: keystrokes 40 ms apart on it, however slowly this machine
  // delivers them.
  await browser.context.clock.install();
  const page = await openPopup();
  const { resources } = await api('/directory/user?sortBy=userName&count=3');
  const target = resources[2];
  const query = target.userName.slice(0, 12);
  await resetLog(emulator.base);
  // Paused a day ahead of the page's clock (which runs with the real one until then), so the
  // pause is always ahead of it; resumed whatever happens, as the clock is the whole context's.
  await page.clock.pauseAt(Date.now() + 86_400_000);
  try {
    // Focus starts in the search box; type like a person.
    for (const key of query) {
      await page.keyboard.type(key);
      await page.clock.runFor(40);
    }
    assert.deepEqual(await userSearches(), [], 'nothing is asked while the admin is typing');
  } finally {
    await page.clock.resume();
  }
  const first = page.getByTestId('result').first();
  await first.waitFor();
  const searches = await userSearches();
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
  assert.equal((await userSearches()).length, 1, 'and were not asked for again');
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

test('quotes, backslashes and a pasted tab are left out of the search, said under the results, and the rest still finds', async () => {
  // Two users the text's pieces name; the strict profile refuses any escape in a filter value.
  await createUser(emulator.base, creds, 'neil.oxley@example.com', 'Neil', 'Oxley');
  await createUser(emulator.base, creds, 'sam.tester@example.com', 'Sam', 'Tester');
  const page = await openPopup();
  const results = async () => page.locator('.kw-title').allInnerTexts();
  for (const [typed, found] of [
    ['O"Neil\\x', 'neil.oxley@example.com'],
    ['Sam\tTester', 'sam.tester@example.com'],
  ]) {
    await resetLog(emulator.base);
    await page.fill('#lookup-text', '');
    await page.fill('#lookup-text', typed);
    await until(async () => (await results()).includes(found), `${found} found for ${JSON.stringify(typed)}`);
    assert.match(await page.getByTestId('search-note').innerText(), /without quotes, backslashes and tabs/);
    const sent = (await userSearches()).map((e) => decodeURIComponent(e.path));
    assert.ok(sent.length > 0 && sent.every((p) => !p.includes('\\')), `no escape sent: ${sent}`);
    assert.ok((await userSearches()).every((e) => e.status === 200), 'nothing refused');
  }
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('names are found whatever their accents, and as "Last, First"', async () => {
  await createUser(emulator.base, creds, 's.mensah@example.org', 'Siobhán', 'Mensah');
  await createUser(emulator.base, creds, 'a.durand@example.org', 'Amelie', 'Durand');
  const page = await openPopup();
  const results = async () => page.locator('.kw-title').allInnerTexts();
  for (const [typed, found] of [
    ['Siobhan', 's.mensah@example.org'],
    ['Mensah, Siobhan', 's.mensah@example.org'],
    ['Amélie', 'a.durand@example.org'],
  ]) {
    await page.fill('#lookup-text', typed);
    await until(async () => (await results()).includes(found), `${found} found for "${typed}"`);
  }
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('more than the first 20: "Show 20 more" adds the next ones, and a new query never shows the old results', async () => {
  const { totalResults } = await api('/directory/user?count=1');
  assert.ok(totalResults > 40, `enough users (${totalResults})`);
  const page = await openPopup();
  const rows = () => page.getByTestId('result');
  await page.fill('#lookup-text', 'example');
  await until(async () => (await rows().count()) === 20, 'the first 20');
  const total = (await api('/directory/user?count=1&filter=' + encodeURIComponent('emails co "example"'))).totalResults;
  assert.match(await page.getByTestId('result-count').innerText(), new RegExp(`^20 of ${total} shown\\.`));
  const first20 = await page.locator('.kw-title').allInnerTexts();
  await page.getByRole('button', { name: 'Show 20 more' }).click();
  await until(async () => (await rows().count()) === 40, 'the next 20 added');
  const all = await page.locator('.kw-title').allInnerTexts();
  assert.deepEqual(all.slice(0, 20), first20, 'the first ones stay first');
  assert.equal(new Set(all).size, 40, 'none listed twice');
  assert.equal(await page.evaluate(() => document.activeElement?.closest('li')?.querySelector('.kw-title')?.textContent), all[20], 'focus on the first added');
  // A new query: the old results go at once, while the new search waits at the gate.
  await closeGate(emulator.base, { path_contains: '/directory/user?' });
  try {
    await page.fill('#lookup-text', 'zz-nobody');
    await untilParked(emulator.base);
    assert.equal(await rows().count(), 0, 'no stale results under the new query');
  } finally {
    await openGate(emulator.base);
  }
  await page.getByText('No matches.').waitFor();
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('PingOne out of reach: the popup says so plainly and gets its results by itself once it is back', async () => {
  await configure(emulator.base, { faults: { reset_share: 1 } });
  let page;
  try {
    page = await openPopup();
    await page.fill('#lookup-text', 'example');
    const failure = page.getByTestId('lookup-failure');
    await failure.waitFor({ timeout: 30_000 });
    const said = await failure.innerText();
    assert.match(said, /Could not reach PingOne/);
    assert.match(said, /tries again by itself/);
    assert.doesNotMatch(said, /Failed to fetch|TypeError/);
  } finally {
    await configure(emulator.base, { faults: { reset_share: 0 } });
  }
  // No click: the popup asks again by itself.
  await page.getByTestId('result').first().waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId('lookup-failure').count(), 0);
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
  assert.equal(await page.getByTestId('user-count').innerText(), `Direct user members: ${count.users.toLocaleString('en-US')}`);
  assert.match(await page.getByTestId('detail').innerText(), new RegExp(`Members \\(${resources[0].members?.length ?? 0}\\)`));
  assert.equal(await page.getByTestId('detail-console').getAttribute('href'), `${emulator.base}/#/users`);
  // No dead end: a member opens as a user, and that user's groups open in their turn.
  const member = resources[0].members[0];
  await page.locator('.kw-related-open').first().click();
  await until(async () => (await page.getByTestId('detail-title').innerText()) !== 'Users', 'the member opened');
  const user = await api(`/directory/user/${member.value}`);
  assert.equal(await page.getByTestId('detail-title').innerText(), user.userName);
  await page.locator('.kw-related-open', { hasText: /^Users/ }).first().click();
  await until(async () => (await page.getByTestId('detail-title').innerText()) === 'Users', 'the group opened from the user');
  await page.close();
  assert.deepEqual(browser.errors, []);
});

/** Records every text the popup's status line shows, from now on (no change is missed). */
const watchStatus = (page) =>
  page.evaluate(() => {
    globalThis.statusSeen = [];
    const read = () => {
      const text = document.querySelector('[data-testid=lookup-status]')?.textContent ?? null;
      if (text !== globalThis.statusSeen.at(-1)) globalThis.statusSeen.push(text);
    };
    new MutationObserver(read).observe(document.body, { subtree: true, childList: true, characterData: true });
    read();
  });

test('a 429: the popup shows the wait live, then the results', async () => {
  // The search is answered 429 with Retry-After: 3 (a scripted answer, not a race against a timed
  // storm); the popup says why it waits, then shows the results of the retry.
  await configure(emulator.base, { retry_after: { mode: 'seconds' } });
  const page = await openPopup();
  await watchStatus(page);
  await failNext(emulator.base, { count: 1, status: 429, retry_after_secs: 3, path_contains: '/directory/user?' });
  await page.keyboard.type('a');
  await page.getByTestId('result').first().waitFor({ timeout: 30_000 });
  const seen = await page.evaluate(() => globalThis.statusSeen);
  assert.ok(seen.some((t) => /^Waiting \d+ s — PingOne rate limit/.test(t ?? '')), `the rate-limit line was shown: ${JSON.stringify(seen)}`);
  assert.equal(await page.getByTestId('lookup-status').innerText(), '', 'the line goes once the answer is in');
  assert.ok((await emulatorLog(emulator.base)).by_status['429'] >= 1);
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
  await configure(emulator.base, { faults: { truncate_share: 0 } });
  // The next two answers are 5xx: the scheduler retries them, so "Try again" gets results.
  await resetLog(emulator.base);
  await failNext(emulator.base, { count: 2, status: 503, path_contains: '/directory/user?' });
  await page.getByRole('button', { name: 'Try again' }).click();
  await page.getByTestId('result').first().waitFor({ timeout: 30_000 });
  assert.equal((await emulatorLog(emulator.base)).by_status['503'], 2, 'both failures were retried');
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('the worker stopped mid-lookup: the popup asks again and gets its results', async () => {
  // The search waits at the emulator's gate while the browser stops the worker.
  await closeGate(emulator.base, { path_contains: '/directory/user?' });
  const page = await openPopup();
  await page.keyboard.type('a');
  await untilParked(emulator.base);
  await stopWorker(browser, page);
  await openGate(emulator.base);
  await page.getByTestId('result').first().waitFor({ timeout: 30_000 });
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('a key renewed elsewhere: the popup says 401 and its fix reads the new key', async () => {
  await admin(emulator.base, 'POST', 'renew');
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

test('a filter the server refuses: one retry with userName alone, a quiet line, remembered for that search only', async () => {
  // A server that does not support name filters: the full search is answered 400.
  await configure(emulator.base, { refuse_filter: { attributes: ['name.givenName'], operators: [] } });
  const filtered = async () => (await userSearches()).filter((e) => e.path.includes('filter='));
  try {
    const { resources } = await api('/directory/user?sortBy=userName&count=5');
    const target = resources[4];
    const query = target.userName.slice(0, 8);
    await resetLog(emulator.base);
    const page = await openPopup();
    const search = async (text) => {
      await resetLog(emulator.base);
      await page.fill('#lookup-text', '');
      await page.fill('#lookup-text', text);
      await page.getByTestId('search-note').waitFor();
      await until(async () => (await filtered()).some((e) => e.status === 200), `the search for ${text}`);
      return filtered();
    };
    await page.fill('#lookup-text', query);
    const row = page.getByTestId('result').filter({ hasText: target.userName });
    await row.waitFor();
    assert.match(await page.getByTestId('search-note').innerText(), /refused the full filter for this search.*userName only/);
    const first = await filtered();
    assert.deepEqual(first.map((e) => e.status), [400, 200], 'the full form once, then the simplest');
    assert.match(decodeURIComponent(first[1].path), new RegExp(`filter=userName sw "${query}"&`));
    // Another search tries the full form again: a refusal is one query's, not the account's.
    const other = await search(query.slice(0, 5));
    assert.deepEqual(other.map((e) => e.status), [400, 200]);
    // The same search again goes straight to the simplest form.
    const again = await search(query);
    assert.deepEqual(again.map((e) => e.status), [200], 'no second refusal');
    assert.doesNotMatch(decodeURIComponent(again[0].path), /givenName/);
    await page.close();
    assert.deepEqual(browser.errors, []);
  } finally {
    await configure(emulator.base, { refuse_filter: { attributes: [], operators: [] } });
    // The memory is the worker's, for its life: a new worker tries the full form again.
    const page = await openPopup();
    await stopWorker(browser, page);
    await page.close();
  }
});

test('a lookup replaced by a newer one never shows an error', async () => {
  const page = await openPopup();
  await page.evaluate(() => {
    globalThis.failureSeen = false;
    new MutationObserver(() => {
      if (document.querySelector('[data-testid=lookup-failure]')) globalThis.failureSeen = true;
    }).observe(document.body, { subtree: true, childList: true });
  });
  // The first search ("us") is held at the emulator's gate while the admin types on; the newer one
  // ("user") replaces it and is answered.
  await closeGate(emulator.base, { path_contains: '%22us%22', pass: 0 });
  try {
    await page.fill('#lookup-text', 'us');
    await untilParked(emulator.base);
    await page.fill('#lookup-text', 'user');
    await page.getByTestId('result-count').waitFor();
    await until(async () => (await admin(emulator.base, 'GET', 'gate')).parked === 0, 'the replaced request abandoned');
    const searched = (await userSearches()).map((e) => decodeURIComponent(e.path));
    assert.ok(searched.some((p) => p.includes('"user"')), `the newer search was answered: ${searched}`);
  } finally {
    await openGate(emulator.base);
  }
  assert.equal(await page.evaluate(() => globalThis.failureSeen), false, 'no error for the replaced lookup');
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('a pause longer than a lookup may wait: the popup says it was not sent, and when to try', async () => {
  await configure(emulator.base, { retry_after: { mode: 'seconds' } });
  try {
    const page = await openPopup();
    await failNext(emulator.base, { count: 1, status: 429, retry_after_secs: 150, path_contains: '/directory/user?' });
    await page.fill('#lookup-text', 'a');
    const failure = page.getByTestId('lookup-failure');
    await failure.waitFor();
    assert.match(await failure.innerText(), /Not sent: PingOne asked Keyward to pause .* again in about [23] min/);
    // Asked again during the pause: not sent at all, and nothing reaches the API.
    await resetLog(emulator.base);
    await page.evaluate(() => {
      document.querySelector('[data-testid=lookup-failure]').dataset.first = 'yes';
    });
    await page.fill('#lookup-text', 'b');
    const second = page.locator('[data-testid=lookup-failure]:not([data-first])');
    await second.waitFor();
    assert.match(await second.innerText(), /Not sent: .* again in about [12] min/);
    assert.equal((await userSearches()).length, 0, 'nothing was sent during the pause');
    await page.close();
    assert.deepEqual(browser.errors, []);
  } finally {
    await configure(emulator.base, { retry_after: { mode: 'absent' } });
    // The pause is the worker's memory: a new worker starts afresh.
    const page = await openPopup();
    await stopWorker(browser, page);
    await page.close();
  }
});
