// Key-age reminders: an account whose key was dated 89 days ago gets a "1d" badge and one
// notification; the reminder alarm survives the worker being stopped; an overdue key escalates;
// reading a renewed key restarts the clock and clears the badge.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, launch, presetLocalBase, startEmulator, stopWorker, until } from './harness.mjs';

const DAY = 86_400_000;
let browser;
let emulator;
let page;
let clientId;

before(async () => {
  emulator = await startEmulator(['--users', '3']);
  browser = await launch('chrome-dev');
  await presetLocalBase(browser, emulator.base);
  clientId = (await admin(emulator.base, 'GET', 'state')).client_id;
  page = await browser.context.newPage();
  await page.goto(browser.url('popup.html'));
});
after(async () => {
  await browser?.close();
  await emulator?.stop();
});

/** The test hook: what Keyward would have stored had the admin dated this key `days` ago. */
const ageKey = (days) =>
  page.evaluate(
    ([id, since]) =>
      chrome.storage.local.set({
        accounts: {
          schema: 1,
          accounts: { [id]: { client_id: id, first_seen_ms: since, key: { fingerprint: 'seen-long-ago', since_ms: since, since: 'stated' }, renewals: [] } },
        },
      }),
    [clientId, Date.now() - days * DAY],
  );

/** Stops the service worker (CDP) and wakes it with a message, as the browser would after idling. */
async function restartWorker() {
  await stopWorker(browser, page);
  await page.evaluate(() => chrome.runtime.sendMessage({ type: 'status' }));
}

const badge = () => page.evaluate(() => chrome.action.getBadgeText({}));
const notifications = () => page.evaluate(() => chrome.notifications.getAll());

test('89 days old: a 1d badge and exactly one notification, and the alarm survives a worker restart', async () => {
  await ageKey(89);
  await restartWorker();
  await until(async () => (await badge()) === '1d', 'the 1d badge');
  const shown = await until(async () => {
    const all = await notifications();
    return all[`keyward-renew:${clientId}`] && all;
  }, 'the reminder notification');
  assert.deepEqual(Object.keys(shown), [`keyward-renew:${clientId}`]);
  assert.equal(await page.evaluate(() => chrome.action.getTitle({})), 'Keyward: an API key is due for renewal in 1 day');

  const alarm = await page.evaluate(() => chrome.alarms.get('keyward-reminders'));
  assert.equal(alarm?.periodInMinutes, 60);
  await page.evaluate((id) => chrome.notifications.clear(id), `keyward-renew:${clientId}`);
  await restartWorker();
  assert.ok(await page.evaluate(() => chrome.alarms.get('keyward-reminders')), 'the alarm is still there');
  // The alarm firing again owes nothing new: no duplicate notification.
  await page.evaluate(() => chrome.alarms.create('keyward-reminders', { when: Date.now() + 50, periodInMinutes: 60 }));
  await until(async () => (await page.evaluate(() => chrome.alarms.get('keyward-reminders')))?.scheduledTime > Date.now() + 60_000, 'the alarm to fire');
  assert.deepEqual(await notifications(), {});
  assert.equal(await badge(), '1d');
});

test('overdue escalates to a red badge; reading a renewed key restarts the clock', async () => {
  await ageKey(95);
  await restartWorker();
  await until(async () => (await badge()) === '!', 'the overdue badge');
  assert.match(JSON.stringify(await page.evaluate(() => chrome.action.getBadgeBackgroundColor({}))), /207,34,46/);

  // Keyward reads the console page: its key's fingerprint differs from the one stored, so it was renewed.
  const consolePage = await browser.context.newPage();
  await consolePage.goto(`${emulator.base}/#/setup/directory/api-credentials`);
  const revealed = Date.now();
  await consolePage.locator('#reveal-key').click();
  await until(async () => (await badge()) === '', 'the badge cleared');
  const account = await page.evaluate(async (id) => (await chrome.storage.local.get('accounts')).accounts.accounts[id], clientId);
  assert.equal(account.renewals.length, 1);
  assert.ok(account.key.since_ms >= revealed && account.key.since_ms <= Date.now(), 'the clock restarted when the new key was read');
  await consolePage.close();
  assert.deepEqual(browser.errors, []);
});

test('the popup shows each key age and snoozes reminders for a day or a week', async () => {
  await ageKey(85);
  await restartWorker();
  const popup = await browser.context.newPage();
  await popup.goto(browser.url('popup.html'));
  const item = popup.locator(`li[data-client-id="${clientId}"]`);
  await item.waitFor();
  assert.match(await item.innerText(), /Key age 85 days: due for renewal in 5 days\./);
  const clicked = Date.now();
  await item.getByRole('button', { name: 'Snooze a week' }).click();
  await popup.getByText('Saved.').waitFor();
  const saved = Date.now();
  const account = await page.evaluate(async (id) => (await chrome.storage.local.get('accounts')).accounts.accounts[id], clientId);
  const snoozedUntil = account.reminders.snoozed_until_ms;
  assert.ok(snoozedUntil >= clicked + 7 * DAY && snoozedUntil <= saved + 7 * DAY, `snoozed for a week from the click (${snoozedUntil - clicked} ms)`);
  await popup.close();
});
