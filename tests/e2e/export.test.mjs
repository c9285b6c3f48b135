// The export page against the emulator: 30,000 users at 10 requests/s in pages of 1000 with
// injected 5xx, resets, cut-off answers and a 429 storm give exactly 30,000 unique rows; pages cut
// off shrink until they come back whole, and grow again; pause, resume and cancel work, and anything
// short of complete is saved and named as partial. An export whose tab is closed (and whose worker
// is stopped, and whose key is gone) is offered again with its count and resumes to a complete file,
// and the pages out when its tab closed are not asked for again;
// the worker stopped mid-export loses nothing; a group's members are checked against users/count;
// exports left on disk are deleted only after a second click.
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

const USERS = 30_000;
const ALL = '30,000';
let browser;
let emulator;
let creds;
const config = (patch) => configure(emulator.base, patch);
/** Lets the first `pass` pages of users through and parks the rest at the emulator's gate. */
const holdAfter = (pass = 1) => closeGate(emulator.base, { path_contains: '/directory/user?', pass });

before(async () => {
  ({ emulator, browser, creds } = await launchWithSandboxKey(['--users', String(USERS), '--rate', '10', '--burst', '20']));
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
const details = (page) => page.getByTestId('export-details').innerText();
/** Saves the current export's file through its own controls (exports on disk have theirs). */
const save = (page, label) => download(page, label, page.getByTestId('export-controls'));

/** The CSV's data rows as objects: a byte-order mark, then RFC 4180 with CRLF lines. */
function parseCsv(text) {
  assert.ok(text.startsWith('\u{feff}"id",'), 'UTF-8 with a byte-order mark, the columns first');
  const [header, ...data] = csvRows(text);
  return data.map((cells) => Object.fromEntries(cells.map((v, i) => [header[i], v])));
}

/** The users pages the emulator was asked for since the log was reset: { start, count, status }. */
async function pagesAsked() {
  const { recent } = await emulatorLog(emulator.base, 5000);
  return recent
    .filter((e) => e.path.startsWith('/api/directory/user?'))
    .map((e) => {
      const q = new URL(e.path, 'http://x').searchParams;
      return { start: Number(q.get('startIndex')), count: Number(q.get('count')), status: e.status };
    });
}

test(`${ALL} users under 5xx, resets, cut-off answers and a 429 storm: exactly ${ALL} unique rows`, async () => {
  await resetLog(emulator.base);
  await config({ faults: { error_share: 0.2, reset_share: 0.05, truncate_share: 0.05 } });
  await holdAfter(1);
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
  await until(async () => (await summary(page)) === `Complete: ${ALL} users.`, 'the export to complete', 180_000);
  await config({ faults: { error_share: 0, reset_share: 0, truncate_share: 0 } });
  const log = await emulatorLog(emulator.base);
  assert.ok(log.rate_limited > 0, 'the storm answered 429s');
  assert.ok(Object.keys(log.by_status).some((s) => s >= 500), `5xx answers were injected: ${JSON.stringify(log.by_status)}`);
  assert.match(await details(page), /^Details: pages of [\d,]+ users · [\d,]+ requests · [1-9][\d,]* retried · [\d,]+ users \([\d.]+ MB\) on disk$/);
  await page.screenshot({ path: screenshotPath('export-complete') });

  const csv = await save(page, 'Save CSV');
  assert.match(csv.name, new RegExp(`^keyward-${creds.clientId.slice(0, 8)}-users-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  const rows = parseCsv(csv.text);
  assert.equal(rows.length, USERS);
  assert.equal(new Set(rows.map((r) => r.id)).size, USERS, 'no duplicates');
  const json = JSON.parse((await save(page, 'Save JSON')).text);
  assert.equal(json.keyward_export.complete, true);
  assert.equal(json.keyward_export.users, USERS);
  assert.equal(json.users.length, USERS);
  assert.deepEqual(new Set(json.users.map((u) => u.id)), new Set(rows.map((r) => r.id)), 'the same users in both files');
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('pages that come back cut off are asked for smaller, and grow back once they come whole', async () => {
  await resetLog(emulator.base);
  await config({ faults: { truncate_share: 1 } });
  const page = await openExport();
  await page.getByTestId('export-start').click();
  // Every answer is cut off until a page of 250 has been asked for.
  await until(async () => (await pagesAsked()).some((p) => p.count === 250), 'a page of 250 asked for', 60_000);
  assert.match(await details(page), /pages of (500|250|125|62|50) users/, 'the size in use is shown');
  await config({ faults: { truncate_share: 0 } });
  await until(async () => (await summary(page)) === `Complete: ${ALL} users.`, 'the export to complete', 180_000);
  const asked = await pagesAsked();
  const first = asked.filter((p) => p.start === 1).map((p) => p.count);
  assert.deepEqual(first.slice(0, 3), [1000, 500, 250], `the first page, halved each time it came cut off: ${first}`);
  assert.equal(asked.at(-1).count <= 1000 && asked.some((p, i) => i > 0 && p.count > asked[i - 1].count), true, 'grown again');
  const rows = parseCsv((await save(page, 'Save CSV')).text);
  assert.equal(new Set(rows.map((r) => r.id)).size, USERS);
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test("each page's body reaches the export page as bytes transferred over the worker's own channel, not as a string in the answer", async () => {
  await resetLog(emulator.base);
  const page = await openExport();
  // Listened to from the page's own world: what the service worker posts to this page.
  await page.evaluate(() => {
    window.__letters = [];
    navigator.serviceWorker.addEventListener('message', ({ data }) => {
      if (data?.body instanceof Uint8Array) window.__letters.push({ start: data.start_index });
    });
  });
  await page.getByTestId('export-start').click();
  await until(async () => /^Complete: /.test(await summary(page)), 'the export to complete', 60_000);
  const letters = await page.evaluate(() => window.__letters);
  const answered = (await pagesAsked()).filter((p) => p.status === 200);
  assert.equal(letters.length, answered.length, 'one letter per page answered');
  assert.deepEqual(new Set(letters.map((l) => l.start)), new Set(answered.map((p) => p.start)));
  assert.equal(parseCsv((await save(page, 'Save CSV')).text).length, USERS);
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('pause holds the export, resume finishes it', async () => {
  const page = await openExport();
  await holdAfter(1);
  await page.getByTestId('export-start').click();
  await until(async () => /Exported [1-9]/.test(await summary(page)), 'the first page');
  await untilParked(emulator.base);
  await page.getByRole('button', { name: 'Pause' }).click();
  await until(async () => /^Paused at/.test(await summary(page)), 'paused');
  const pausedAt = await summary(page);
  // Focus moved to the new first control, so the keyboard carries on.
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Resume');
  // The pages already out are answered (and kept); nothing new is asked for while paused.
  await openGate(emulator.base);
  const status = () => page.evaluate(() => chrome.runtime.sendMessage({ type: 'api_status' }));
  await until(async () => {
    const s = await status();
    return s.queued === 0 && s.in_flight === 0;
  }, 'nothing left in the scheduler while paused');
  assert.match(await summary(page), new RegExp(`^Paused at [\\d,]+ of ${ALL} users\\.$`));
  // The count stopped at the click: the pages that landed since are kept for the resume, not counted.
  assert.equal(await summary(page), pausedAt);
  await page.keyboard.press('Enter');
  await until(async () => (await summary(page)) === `Complete: ${ALL} users.`, 'the export to complete', 120_000);
  const rows = parseCsv((await save(page, 'Save CSV')).text);
  assert.equal(new Set(rows.map((r) => r.id)).size, USERS);
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('a search narrows the export to the users it matches', async () => {
  const query = async (path) => (await directoryGet(emulator.base, creds, path)).json();
  const { resources } = await query('/directory/user?sortBy=userName&startIndex=2040&count=1');
  const prefix = resources[0].userName.slice(0, 8);
  const page = await openExport(prefix);
  assert.equal(await page.inputValue('#export-text'), prefix, 'the popup link carries the search');
  await page.getByTestId('export-start').click();
  await until(async () => /^Complete: /.test(await summary(page)), 'the export to complete', 60_000);
  const rows = parseCsv((await save(page, 'Save CSV')).text);
  const filter = `userName sw "${prefix}" or emails co "${prefix}" or name.givenName sw "${prefix}" or name.familyName sw "${prefix}"`;
  const expected = await query(`/directory/user?count=1&filter=${encodeURIComponent(filter)}`);
  assert.equal(rows.length, expected.totalResults);
  assert.ok(rows.length < USERS && rows.some((r) => r.userName === resources[0].userName));
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('cancel offers only a file named partial, which says so in its name and JSON header, not inside the CSV', async () => {
  await holdAfter(1);
  const page = await openExport();
  await page.getByTestId('export-start').click();
  await until(async () => /Exported [1-9]/.test(await summary(page)), 'the first page');
  await untilParked(emulator.base);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await until(async () => /^Cancelled at/.test(await summary(page)), 'cancelled');
  await openGate(emulator.base);
  const controls = page.getByTestId('export-controls');
  assert.equal(await controls.getByRole('button', { name: 'Save CSV' }).count(), 0, 'no plain file');
  const csv = await save(page, 'Save partial CSV');
  assert.match(csv.name, /-partial\.csv$/);
  const rows = parseCsv(csv.text);
  assert.ok(rows.length > 0 && rows.length < USERS, 'only what came before the cancel');
  const json = JSON.parse((await save(page, 'Save partial JSON')).text);
  assert.equal(json.keyward_export.complete, false);
  assert.equal(json.users.length, rows.length);
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('the worker stopped mid-export: the export carries on and loses nothing', async () => {
  await holdAfter(1);
  const page = await openExport();
  await page.getByTestId('export-start').click();
  await until(async () => /Exported [1-9]/.test(await summary(page)), 'the first page');
  // Pages are out (waiting at the gate) when the browser stops the worker.
  await untilParked(emulator.base);
  await stopWorker(browser, page);
  await openGate(emulator.base);
  await until(async () => (await summary(page)) === `Complete: ${ALL} users.`, 'the export to complete', 120_000);
  const rows = parseCsv((await save(page, 'Save CSV')).text);
  assert.equal(rows.length, USERS);
  assert.equal(new Set(rows.map((r) => r.id)).size, USERS);
  await page.close();
});

test('closed half way, the worker stopped and the key gone: reopened, it resumes and finishes with every user once', async () => {
  await resetLog(emulator.base);
  await holdAfter(12);
  let page = await openExport();
  await page.getByTestId('export-start').click();
  await untilParked(emulator.base);
  // Closed once the pages let through are on disk and named by a checkpoint, as the details say.
  const exported = async () => /^Exported ([\d,]+)/.exec(await summary(page))?.[1];
  await until(async () => (await exported()) === '12,000' && (await details(page)).includes('12,000 users ('), 'the pages let through on disk');
  const before = await summary(page);
  await page.close();
  // The browser session ends: the worker stops and the key read from the console is gone.
  const keep = await browser.context.newPage();
  await keep.goto(browser.url('export.html'));
  await keep.evaluate(() => chrome.storage.session.clear());
  await stopWorker(browser, keep);
  await openGate(emulator.base);
  await keep.close();

  page = await browser.context.newPage();
  await page.goto(browser.url('export.html'));
  const spool = page.getByTestId('export-spool').filter({ hasText: 'all users' }).filter({ hasText: 'unfinished' }).first();
  const resume = spool.getByRole('button', { name: /^Resume \(/ });
  await resume.waitFor();
  const label = await resume.innerText();
  assert.match(label, new RegExp(`^Resume \\([\\d,]+ of ${ALL} users\\)$`));
  assert.ok(before.includes(label.match(/\(([\d,]+) of/)[1]), `the count it stopped at (${before}) is offered: ${label}`);
  assert.match(await spool.innerText(), /MB/, 'with its size on disk');
  await resume.click();
  await until(async () => (await page.getByTestId('export-note').innerText().catch(() => '')).includes('open its API Credentials page'), 'told to bring the key back');
  assert.match(await summary(page), /^Paused at/, 'waiting, not failing');
  // The admin opens the API Credentials page and shows the key, as the note says.
  const console_ = await browser.context.newPage();
  await console_.goto(`${emulator.base}/#/setup/directory/api-credentials`);
  await console_.click('#reveal-key');
  await until(async () => (await summary(page)) === `Complete: ${ALL} users.`, 'the export to resume by itself and complete', 120_000);
  await console_.close();
  const rows = parseCsv((await save(page, 'Save CSV')).text);
  assert.equal(rows.length, USERS);
  assert.equal(new Set(rows.map((r) => r.id)).size, USERS, 'every user exactly once');
  // Each page asked for once, but those out when the tab closed (at most 16).
  const asked = (await pagesAsked()).filter((p) => p.status === 200);
  assert.ok(asked.length <= USERS / 1000 + 16, `${asked.length} pages asked`);
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('closed with pages still out: resumed in a new tab, it takes their answers and asks for no page twice', async () => {
  await holdAfter(3);
  let page = await openExport();
  await page.getByTestId('export-start').click();
  // Pages past the third wait at the gate: out, with no page to take their answers.
  await untilParked(emulator.base);
  await page.close();
  await resetLog(emulator.base);
  page = await browser.context.newPage();
  await page.goto(browser.url('export.html'));
  const spool = page.getByTestId('export-spool').filter({ hasText: 'all users' }).filter({ hasText: 'unfinished' }).first();
  await spool.getByRole('button', { name: /^Resume \(/ }).click();
  await openGate(emulator.base);
  await until(async () => (await summary(page)) === `Complete: ${ALL} users.`, 'the resumed export to complete', 120_000);
  const rows = parseCsv((await save(page, 'Save CSV')).text);
  assert.equal(new Set(rows.map((r) => r.id)).size, USERS, 'every user exactly once');
  // Since the tab closed: the pages that were out came back once, to the worker, which kept them
  // (or joined the new tab's requests to them); none was asked for again.
  const asked = (await pagesAsked()).filter((p) => p.status === 200).map((p) => `${p.start}+${p.count}`);
  assert.equal(new Set(asked).size, asked.length, `no page asked for twice: ${asked.join(' ')}`);
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test("a group's members are checked against users/count: fewer listed is Incomplete: N of M", async () => {
  const groups = await (await directoryGet(emulator.base, creds, `/directory/group?filter=${encodeURIComponent('displayName eq "Users"')}`)).json();
  const users = groups.resources[0];
  const open = async () => {
    const page = await browser.context.newPage();
    await page.goto(browser.url(`export.html?account=${encodeURIComponent(creds.clientId)}&group=${users.id}&name=Users`));
    await page.getByTestId('export-start').click();
    return page;
  };
  let page = await open();
  await until(async () => /^Complete: /.test(await summary(page)), 'the members export to complete', 60_000);
  assert.equal(await summary(page), `Complete: ${ALL} members.`);
  await page.close();
  await config({ shapes: { group_members_listed_at_most: 1000 } });
  try {
    page = await open();
    await until(async () => /^Incomplete: /.test(await summary(page)), 'the members export to end', 60_000);
    assert.match(await summary(page), new RegExp(`^Incomplete: 1,000 of ${ALL} members\\. The group lists 1,000 user members, but PingOne counts ${ALL} \\(users/count\\)`));
    const json = JSON.parse((await save(page, 'Save partial JSON')).text);
    assert.equal(json.keyward_export.complete, false);
    assert.equal(json.keyward_export.total_reported, USERS);
    assert.equal(json.members.length, 1000);
    await page.close();
  } finally {
    await config({ shapes: { group_members_listed_at_most: 0 } });
  }
  assert.deepEqual(browser.errors, []);
});

test('an export on disk is deleted only after a second click, and then for good', async () => {
  const page = await browser.context.newPage();
  await page.goto(browser.url('export.html'));
  const spools = page.getByTestId('export-spool');
  await spools.first().waitFor();
  const count = await spools.count();
  const first = spools.first();
  const id = await first.getAttribute('data-spool');
  await first.getByRole('button', { name: 'Delete…' }).click();
  await first.getByRole('button', { name: 'Keep' }).click();
  assert.equal(await spools.count(), count, 'kept');
  await first.getByRole('button', { name: 'Delete…' }).click();
  await first.getByRole('button', { name: /^Delete .* for good$/ }).click();
  await until(async () => (await spools.count()) === count - 1, 'the export deleted');
  await page.reload();
  await page.getByTestId('export-spools').waitFor();
  assert.equal(await page.locator(`[data-testid=export-spool][data-spool="${id}"]`).count(), 0, 'gone from disk');
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('a filter the server refuses: the export asks again with userName alone before it starts', async () => {
  await configure(emulator.base, { refuse_filter: { attributes: ['name.familyName'], operators: [] } });
  try {
    const query = async (path) => (await directoryGet(emulator.base, creds, path)).json();
    const { resources } = await query('/directory/user?sortBy=userName&startIndex=7070&count=1');
    const prefix = resources[0].userName.slice(0, 8);
    await resetLog(emulator.base);
    const page = await openExport(prefix);
    await page.getByTestId('export-start').click();
    await until(async () => /^Complete: /.test(await summary(page)), 'the export to complete', 60_000);
    assert.match(await page.getByTestId('export-note').innerText(), /refused the full filter for this search.*userName only/);
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
