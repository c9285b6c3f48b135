// Large groups stay usable: the built-in "Users" group of a 20,000-user directory shows a bounded
// first page of members with the exact count, and its "Export all members" link exports every one
// of them (asked again after a failed answer) without rendering them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  csvRows,
  directoryGet,
  download,
  emulatorLog,
  failNext,
  launchWithSandboxKey,
  popupReady,
  until,
} from './harness.mjs';

const USERS = 20_000;
let browser;
let emulator;
let creds;
const api = async (path) => (await directoryGet(emulator.base, creds, path)).json();

before(async () => {
  ({ emulator, browser, creds } = await launchWithSandboxKey(['--users', String(USERS), '--groups', '2']));
});
after(async () => {
  await browser?.close();
  await emulator?.stop();
});

test('the "Users" group of 20,000: the first 100 members, the count, and an export of every member', async () => {
  const { resources } = await api(`/directory/group?filter=${encodeURIComponent('displayName eq "Users"')}`);
  const group = await api(`/directory/group/${resources[0].id}`);
  const expected = group.members.map((m) => m.value);
  assert.ok(expected.length >= USERS, `the emulator's Users group holds every user (${expected.length})`);

  const popup = await browser.context.newPage();
  await popup.goto(browser.url('popup.html'));
  await popupReady(popup);
  await popup.selectOption('#lookup-kind', 'groups');
  await popup.fill('#lookup-text', 'Users');
  const row = popup.getByTestId('result').filter({ hasText: /^Users/ }).first();
  await row.waitFor();
  await row.locator('.kw-open').click();
  const detail = popup.getByTestId('detail');
  await detail.waitFor();
  const total = expected.length.toLocaleString('en-US');
  assert.match(await detail.innerText(), new RegExp(`Members \\(first 100 of ${total}\\)`));
  assert.equal(await popup.locator('.kw-related li').count(), 100, 'never tens of thousands of rows');
  const link = popup.getByTestId('export-members');
  assert.equal(await link.innerText(), `Export all ${total} members…`);

  // The link opens the export page for this group; its one request fails once and is asked again.
  await failNext(emulator.base, { count: 1, status: 503, path_contains: `/directory/group/${group.id}` });
  const [page] = await Promise.all([browser.context.waitForEvent('page'), link.click()]);
  await page.getByTestId('export-group').waitFor();
  assert.match(await page.getByTestId('export-group').innerText(), /Every member of the group “Users”/);
  assert.equal(await page.locator('#export-text').count(), 0, 'no search for a group export');
  await page.getByTestId('export-start').click();
  await until(
    async () => (await page.getByTestId('export-summary').innerText()) === `Complete: ${total} members.`,
    'the members export to complete',
    60_000,
  );
  const answers = (await emulatorLog(emulator.base)).recent.filter((e) => e.path.startsWith(`/api/directory/group/${group.id}`));
  assert.deepEqual(answers.map((e) => e.status).slice(-2), [503, 200], 'the failed answer was asked for again');
  const csv = await download(page, 'Save CSV', page.getByTestId('export-controls'));
  assert.match(csv.name, /^keyward-[0-9a-f]{8}-members-Users-\d{4}-\d{2}-\d{2}\.csv$/);
  const [header, ...rows] = csvRows(csv.text);
  assert.deepEqual(header, ['id', 'display', 'type']);
  assert.deepEqual(
    rows.map((cells) => cells[0]),
    expected,
    'every member once, in the group’s order',
  );
  const json = JSON.parse((await download(page, 'Save JSON', page.getByTestId('export-controls'))).text);
  assert.equal(json.keyward_export.complete, true);
  assert.equal(json.members.length, expected.length);
  await popup.close();
  await page.close();
  assert.deepEqual(browser.errors, []);
});
