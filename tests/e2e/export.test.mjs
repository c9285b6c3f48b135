// The export page against the emulator: 5,000 users at 10 requests/s with injected 5xx, resets,
// cut-off answers and a 429 storm give exactly 5,000 unique rows; pause, resume and cancel work,
// and anything short of complete is saved and named as partial. The worker stopped mid-export
// (as the browser may do) loses nothing either.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  closeGate,
  configure,
  csvRows,
  directoryGet,
  download,
  emulatorLog,
  launchWithSandboxKey,
  openGate,
  resetLog,
  screenshotPath,
  stopWorker,
  until,
  untilParked,
} from './harness.mjs';

let browser;
let emulator;
let creds;
const config = (patch) => configure(emulator.base, patch);
/** Lets the first page of users through and parks the rest at the emulator's gate. */
const holdAfterFirstPage = () => closeGate(emulator.base, { path_contains: '/directory/user?', pass: 1 });

before(async () => {
  ({ emulator, browser, creds } = await launchWithSandboxKey(['--users', '5000', '--rate', '10', '--burst', '20']));
});
after(async () => {
  await browser?.close();
  await emulator?.stop();
});

async function openExport(query = '') {
  const page = await browser.context.newPage();
  await page.goto(browser.url(`export.html?account=${encodeURIComponent(creds.clientId)}&q=${encodeURIComponent(query)}`));
  await page.getByTestId('export-start').waitFor();
  return page;
}

const summary = (page) => page.getByTestId('export-summary').innerText();

const save = download;

/** The CSV's data rows as objects (RFC 4180: every cell quoted, quotes doubled, CRLF lines). */
function parseCsv(text) {
  const rows = csvRows(text.split('\r\n').filter((l) => !l.startsWith('# ')).join('\r\n'));
  const [header, ...data] = rows;
  return data.map((cells) => Object.fromEntries(cells.map((v, i) => [header[i], v])));
}

test('5,000 users under 5xx, resets, cut-off answers and a 429 storm: exactly 5,000 unique rows', async () => {
  await resetLog(emulator.base);
  await config({ faults: { error_share: 0.2, reset_share: 0.05, truncate_share: 0.05 } });
  await holdAfterFirstPage();
  const page = await openExport();
  await page.getByTestId('export-start').click();
  await until(async () => /Exported [1-9]/.test(await summary(page)), 'the first page');
  // The export is held mid-way: the pages waiting at the gate meet a storm that lasts until the
  // emulator has answered 429s, whenever that is.
  await untilParked(emulator.base);
  await config({ storm_seconds: 3600 });
  await openGate(emulator.base);
  await until(async () => (await emulatorLog(emulator.base, 0)).rate_limited > 0, 'the storm to answer 429s');
  await config({ storm_seconds: 0 });
  await until(async () => (await summary(page)) === 'Complete: 5,000 users.', 'the export to complete', 120_000);
  await config({ faults: { error_share: 0, reset_share: 0, truncate_share: 0 } });
  const log = await emulatorLog(emulator.base);
  assert.ok(log.rate_limited > 0, 'the storm answered 429s');
  assert.ok(Object.keys(log.by_status).some((s) => s >= 500), `5xx answers were injected: ${JSON.stringify(log.by_status)}`);
  await page.screenshot({ path: screenshotPath('export-complete') });

  const csv = await save(page, 'Save CSV');
  assert.match(csv.name, /^keyward-users-\d{4}-\d{2}-\d{2}\.csv$/);
  const rows = parseCsv(csv.text);
  assert.equal(rows.length, 5000);
  assert.equal(new Set(rows.map((r) => r.id)).size, 5000, 'no duplicates');
  const json = JSON.parse((await save(page, 'Save JSON')).text);
  assert.equal(json.keyward_export.complete, true);
  assert.equal(json.users.length, 5000);
  assert.deepEqual(new Set(json.users.map((u) => u.id)), new Set(rows.map((r) => r.id)), 'the same users in both files');
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('pause holds the export, resume finishes it', async () => {
  const page = await openExport();
  await holdAfterFirstPage();
  await page.getByTestId('export-start').click();
  await until(async () => /Exported [1-9]/.test(await summary(page)), 'the first page');
  await untilParked(emulator.base);
  await page.getByRole('button', { name: 'Pause' }).click();
  await until(async () => /^Paused at/.test(await summary(page)), 'paused');
  // Focus moved to the new first control, so the keyboard carries on.
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Resume');
  // The pages already out are answered (and kept); nothing new is asked for while paused.
  await openGate(emulator.base);
  const status = () => page.evaluate(() => chrome.runtime.sendMessage({ type: 'api_status' }));
  await until(async () => {
    const s = await status();
    return s.queued === 0 && s.in_flight === 0;
  }, 'nothing left in the scheduler while paused');
  assert.match(await summary(page), /^Paused at [\d,]+ of 5,000 users\.$/);
  await page.keyboard.press('Enter');
  await until(async () => (await summary(page)) === 'Complete: 5,000 users.', 'the export to complete', 60_000);
  const rows = parseCsv((await save(page, 'Save CSV')).text);
  assert.equal(new Set(rows.map((r) => r.id)).size, 5000);
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('a search narrows the export to the users it matches', async () => {
  const query = async (path) => (await directoryGet(emulator.base, creds, path)).json();
  const { resources } = await query('/directory/user?sortBy=userName&startIndex=40&count=1');
  const prefix = resources[0].userName.slice(0, 3);
  const page = await openExport(prefix);
  assert.equal(await page.inputValue('#export-text'), prefix, 'the popup link carries the search');
  await page.getByTestId('export-start').click();
  await until(async () => /^Complete: /.test(await summary(page)), 'the export to complete', 60_000);
  const rows = parseCsv((await save(page, 'Save CSV')).text);
  const filter = `userName sw "${prefix}" or emails co "${prefix}" or name.givenName sw "${prefix}" or name.familyName sw "${prefix}"`;
  const expected = await query(`/directory/user?count=1&filter=${encodeURIComponent(filter)}`);
  assert.equal(rows.length, expected.totalResults);
  assert.ok(rows.length < 5000 && rows.some((r) => r.userName === resources[0].userName));
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('cancel offers only a file named and marked partial', async () => {
  await holdAfterFirstPage();
  const page = await openExport();
  await page.getByTestId('export-start').click();
  await until(async () => /Exported [1-9]/.test(await summary(page)), 'the first page');
  await untilParked(emulator.base);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await until(async () => /^Cancelled at/.test(await summary(page)), 'cancelled');
  await openGate(emulator.base);
  assert.equal(await page.getByRole('button', { name: 'Save CSV' }).count(), 0, 'no plain file');
  const csv = await save(page, 'Save partial CSV');
  assert.match(csv.name, /-partial\.csv$/);
  assert.match(csv.text, /^# PARTIAL EXPORT: \d+ users \(not every user\)\r\n/);
  assert.ok(parseCsv(csv.text).length < 5000, 'only what came before the cancel');
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('the worker stopped mid-export: the export carries on and loses nothing', async () => {
  await holdAfterFirstPage();
  const page = await openExport();
  await page.getByTestId('export-start').click();
  await until(async () => /Exported [1-9]/.test(await summary(page)), 'the first page');
  // Pages are out (waiting at the gate) when the browser stops the worker.
  await untilParked(emulator.base);
  await stopWorker(browser, page);
  await openGate(emulator.base);
  await until(async () => (await summary(page)) === 'Complete: 5,000 users.', 'the export to complete', 120_000);
  const rows = parseCsv((await save(page, 'Save CSV')).text);
  assert.equal(rows.length, 5000);
  assert.equal(new Set(rows.map((r) => r.id)).size, 5000);
  await page.close();
});

test('a filter the server refuses: the export asks again with userName alone before it starts', async () => {
  await configure(emulator.base, { refuse_filter: { attributes: ['name.familyName'], operators: [] } });
  try {
    const query = async (path) => (await directoryGet(emulator.base, creds, path)).json();
    const { resources } = await query('/directory/user?sortBy=userName&startIndex=70&count=1');
    const prefix = resources[0].userName.slice(0, 3);
    await resetLog(emulator.base);
    const page = await openExport(prefix);
    await page.getByTestId('export-start').click();
    await until(async () => /^Complete: /.test(await summary(page)), 'the export to complete', 60_000);
    assert.match(await page.getByTestId('export-note').innerText(), /refused the full search filter.*userName only/);
    const rows = parseCsv((await save(page, 'Save CSV')).text);
    const expected = await query(`/directory/user?count=1&filter=${encodeURIComponent(`userName sw "${prefix}"`)}`);
    assert.equal(rows.length, expected.totalResults, 'exactly the users the simplest form matches');
    const statuses = (await emulatorLog(emulator.base, 1000)).recent
      .filter((e) => e.path.startsWith('/api/directory/user?') && e.path.includes('filter='))
      .map((e) => e.status);
    assert.equal(statuses.filter((s) => s === 400).length, 1, `one refusal, before any page: ${statuses}`);
    assert.equal(statuses[0], 400);
    await page.close();
    assert.deepEqual(browser.errors, []);
  } finally {
    await configure(emulator.base, { refuse_filter: { attributes: [], operators: [] } });
  }
});
