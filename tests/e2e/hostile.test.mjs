// Hostile data everywhere Keyward shows it: script and markup payloads, RTL overrides, zero-width
// characters, a 10 KB name and a lone surrogate in users and groups (from the emulator's seed), and
// in a console page's own text. Everything is shown as inert text; a tripwire on every dialog, the
// pages' CSP errors and a count of created elements prove that no payload ran or became markup.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HELPERS, csvRows, directoryGet, download, launchWithSandboxKey, tabView, until } from './harness.mjs';

let browser;
let emulator;
let creds;
const dialogs = [];
let hostileUsers;

before(async () => {
  // Every 50th user has a hostile given name; 500 users cover each hostile string once.
  ({ emulator, browser, creds } = await launchWithSandboxKey(['--users', '500', '--groups', '34']));
  const trip = (page) => page.on('dialog', (d) => dialogs.push(`${page.url()}: ${d.type()} ${d.message()}`) && d.dismiss());
  browser.context.pages().forEach(trip);
  browser.context.on('page', trip);
  // Read as text: the body holds a lone surrogate escape, which node's JSON.parse keeps as is.
  const text = await (await directoryGet(emulator.base, creds, '/directory/user?count=1000')).text();
  hostileUsers = JSON.parse(text).resources.filter((_, i, all) => all[i].userName.match(/(\d+)$/)[1] % 50 === 49);
});
after(async () => {
  await browser?.close();
  await emulator?.stop();
});

/** What a lone surrogate becomes once Keyward has read it: the replacement character. */
const shown = (s) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

test('the seed really is hostile', () => {
  const names = hostileUsers.map((u) => u.name.givenName);
  assert.ok(names.includes('<img src=x onerror=alert(1)>'));
  assert.ok(hostileUsers.some((u) => u.name.familyName.startsWith('=HYPERLINK')), 'a formula');
  assert.ok(names.some((n) => n.length > 10_000), 'a 10 KB name');
  assert.ok(names.some((n) => /[\ud800-\udbff](?![\udc00-\udfff])/.test(n)), 'a lone surrogate');
  assert.ok(names.some((n) => n.includes('\u202e')), 'an RTL override');
});

test('popup: hostile users and groups are inert text in results and details', async () => {
  const page = await browser.context.newPage();
  await page.goto(browser.url('popup.html'));
  await page.getByTestId('lookup').waitFor();
  const baseline = await page.evaluate(() => document.querySelectorAll('img, script, svg, iframe, b').length);
  for (const user of hostileUsers) {
    await page.fill('#lookup-text', user.userName.slice(0, 200));
    const row = page.getByTestId('result').filter({ has: page.locator('.kw-title', { hasText: user.userName.slice(0, 200) }) }).first();
    await row.waitFor();
    await row.locator('.kw-open').click();
    await page.getByTestId('detail').waitFor();
    const text = await page.getByTestId('detail').textContent();
    assert.ok(text.includes(shown(user.name.givenName)), `the given name of ${user.userName.slice(0, 40)} as text`);
    await page.keyboard.press('Escape');
    await page.getByTestId('result').first().waitFor();
  }
  await page.selectOption('#lookup-kind', 'groups');
  for (const hostile of ['javascript:alert(1)', "Robert'); DROP TABLE users;--"]) {
    await page.fill('#lookup-text', hostile);
    await until(async () => (await page.getByTestId('lookup-results').textContent()).includes(hostile), `the group named ${hostile}`);
  }
  assert.equal(await page.evaluate(() => document.querySelectorAll('img, script, svg, iframe, b').length), baseline, 'no element came from data');
  await page.close();
  assert.deepEqual(dialogs, []);
  assert.deepEqual(browser.errors, []);
});

test('export: hostile values reach both files exactly, formulas defused', async () => {
  const page = await browser.context.newPage();
  await page.goto(browser.url(`export.html?account=${encodeURIComponent(creds.clientId)}`));
  await page.getByTestId('export-start').click();
  await until(async () => (await page.getByTestId('export-summary').innerText()) === 'Complete: 500 users.', 'the export');
  const save = async (label) => (await download(page, label, page.getByTestId('export-controls'))).text;
  const json = JSON.parse(await save('Save JSON'));
  const byId = new Map(json.users.map((u) => [u.id, u]));
  for (const user of hostileUsers) assert.equal(byId.get(user.id).name.givenName, shown(user.name.givenName));
  const csv = await save('Save CSV');
  const rows = csvRows(csv);
  const cells = rows.flat();
  assert.ok(cells.includes('<img src=x onerror=alert(1)>'), 'markup is kept as text');
  const formulas = cells.filter((c) => /^[\s",;]*[=+\-@\t\r＝＋－＠]/.test(c));
  assert.deepEqual(formulas, [], 'no cell can start a formula');
  // Each hostile family name (OWASP's CSV-injection cases) is in the file whole (behind a ' when
  // it could start a formula).
  const [header, ...data] = rows;
  const csvById = new Map(data.map((r) => [r[header.indexOf('id')], r]));
  for (const user of hostileUsers) {
    const family = csvById.get(user.id)?.[header.indexOf('familyName')];
    assert.equal(family?.replace(/^'/, ''), user.name.familyName, `the family name of ${user.userName.slice(0, 40)}`);
    assert.equal(byId.get(user.id).name.familyName, user.name.familyName, 'the JSON keeps it exactly');
  }
  await page.close();
  assert.deepEqual(dialogs, []);
  assert.deepEqual(browser.errors, []);
});

test('a console page with hostile text: the popup shows it as text', async () => {
  const console = await browser.context.newPage();
  await console.goto(`${emulator.base}/#/dashboard`);
  const payload = '<img src=x onerror=alert(1)>\u202eevil\u200b' + 'x'.repeat(300);
  await console.evaluate((text) => {
    const h = document.querySelector('h1, h2');
    h.textContent = text;
  }, payload);
  const view = await until(async () => {
    const v = await tabView(browser, 'console');
    return v.page?.startsWith('<img') && v;
  }, 'the hostile heading read');
  // The popup describes the active tab: make the console tab active again, then load the popup
  // (in its own, now inactive, tab) so it asks about the console page.
  const popup = await browser.context.newPage();
  await popup.goto(browser.url('popup.html'));
  await popup.evaluate(async (url) => {
    const [tab] = await chrome.tabs.query({ url });
    await chrome.tabs.update(tab.id, { active: true });
  }, `${emulator.base}/*`);
  await popup.reload();
  const tab = popup.getByTestId('tab-state');
  await tab.waitFor();
  assert.ok((await tab.textContent()).includes(view.page), 'the heading, as text');
  assert.equal(await popup.evaluate(() => document.querySelectorAll('main img, main script').length), 0);
  await popup.close();
  await console.close();
  assert.deepEqual(dialogs, []);
  assert.deepEqual(browser.errors, []);
});

test('a credentials page with hostile labels and values around the real ones: read, inert, no script', async () => {
  const page = await browser.context.newPage();
  await page.goto(`${emulator.base}/?layout=table#/setup/directory/api-credentials`);
  await page.locator('#api-credentials').waitFor();
  // A hostile page: extra rows whose labels and values are payloads, an RTL-overridden label, a
  // zero-width value, a 10 KB cell and a lone surrogate, next to the real Client ID and key.
  await page.evaluate(() => {
    const table = document.querySelector('#api-credentials table');
    const row = (label, value) => {
      const tr = document.createElement('tr');
      for (const text of [label, value]) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      table.append(tr);
    };
    row('<img src=x onerror=alert(1)>', '<script>alert(2)</script>');
    row('\u202eDI tneilC', '\u200b\u200b');
    row('Notes', 'x'.repeat(10_240));
    row('lone\ud800', 'value\udc00');
  });
  await page.click('#reveal-key');
  await until(async () => (await tabView(browser, 'credentials')).key === 'shown', 'the key read despite the noise');
  const view = await tabView(browser, 'credentials');
  assert.equal(view.client_id, creds.clientId, 'the real Client ID, not a decoy row');
  await until(() => page.locator(HELPERS).count(), 'the helpers');
  assert.equal(await page.evaluate(() => document.querySelectorAll('img, script:not([src])').length), 0);
  await page.close();
  assert.deepEqual(dialogs, []);
  assert.deepEqual(browser.errors, []);
});
