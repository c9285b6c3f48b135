// The popup's lookups and the export page against every answer shape seen from the real Directory
// API (the emulator switches them at run time): list envelopes with and without `totalResults`,
// `startIndex: 0`, numeric error codes, HTML pages on 429 and 5xx, group lists without members;
// and a server whose paging ignores `startIndex` or gets stuck, which the export must leave, saying
// the file is incomplete and why, rather than ask forever.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, csvRows, download, failNext, launchWithSandboxKey, popupReady, until } from './harness.mjs';

// More than one page of 1000, so a server that does not page shows it.
const USERS = 2500;
let browser;
let emulator;
let creds;

before(async () => {
  ({ emulator, browser, creds } = await launchWithSandboxKey(['--users', String(USERS), '--groups', '3', '--rate', '200', '--burst', '400']));
});
after(async () => {
  await browser?.close();
  await emulator?.stop();
});

const NORMAL = { envelope: 'observed', shapes: {} };

async function lookups() {
  const page = await browser.context.newPage();
  await page.goto(browser.url('popup.html'));
  await popupReady(page);
  // A 429 the scheduler waits out, whatever its body.
  await failNext(emulator.base, { count: 1, status: 429, path_contains: '/directory/user?' });
  await page.fill('#lookup-text', 'a');
  await page.getByTestId('result').first().waitFor({ timeout: 30_000 });
  // A 503 the scheduler retries, whatever its body.
  await failNext(emulator.base, { count: 1, status: 503, path_contains: '/directory/group?' });
  await page.selectOption('#lookup-kind', 'groups');
  await page.fill('#lookup-text', 'Users');
  const group = page.getByTestId('result').filter({ hasText: /^Users/ }).first();
  await group.waitFor({ timeout: 30_000 });
  await group.locator('.kw-open').click();
  await page.getByTestId('user-count').waitFor();
  assert.match(await page.getByTestId('user-count').innerText(), new RegExp(USERS.toLocaleString('en-US')));
  await page.close();
}

async function exportAll() {
  const page = await browser.context.newPage();
  await page.goto(browser.url(`export.html?account=${encodeURIComponent(creds.clientId)}&q=`));
  await page.getByTestId('export-start').click();
  const summary = page.getByTestId('export-summary');
  await until(async () => /^(Complete|Incomplete|Stopped)/.test(await summary.innerText()), 'the export to end', 60_000);
  return { page, summary: await summary.innerText() };
}

const rows = async (page, label) => csvRows((await download(page, label, page.getByTestId('export-controls'))).text).filter((r) => !r[0].startsWith('# ')).length - 1;

for (const [name, patch] of [
  ['the observed envelope', NORMAL],
  ['SCIM 1.1 `Resources`', { envelope: 'scim', shapes: {} }],
  ['only `resources` (no total, no schemas)', { envelope: 'bare', shapes: {} }],
  ['`startIndex: 0` and empty schemas', { envelope: 'zerostart', shapes: {} }],
  ['numeric error codes and HTML error pages', { envelope: 'observed', shapes: { numeric_error_code: true, html_errors: true } }],
  ['group lists without members', { envelope: 'observed', shapes: { group_lists_without_members: true } }],
]) {
  test(`lookups and a full export under ${name}`, async () => {
    await configure(emulator.base, patch);
    try {
      await lookups();
      const { page, summary } = await exportAll();
      assert.equal(summary, `Complete: ${USERS.toLocaleString('en-US')} users.`);
      assert.equal(await rows(page, 'Save CSV'), USERS);
      await page.close();
      assert.deepEqual(browser.errors, []);
    } finally {
      await configure(emulator.base, NORMAL);
    }
  });
}

for (const [name, patch] of [
  ['ignores startIndex', { envelope: 'observed', shapes: { ignore_start_index: true } }],
  ['ignores startIndex and sends no total', { envelope: 'bare', shapes: { ignore_start_index: true } }],
  ['gets stuck on its second page', { envelope: 'bare', shapes: { stuck_from_page: 2 } }],
]) {
  test(`an export from a server that ${name} ends, incomplete and saying why`, async () => {
    await configure(emulator.base, patch);
    try {
      const { page, summary } = await exportAll();
      assert.match(summary, /^Incomplete: [\d,]+ (of [\d,]+ )?users\. PingOne kept answering with users already exported .*startIndex.*partial file/);
      const saved = await rows(page, 'Save partial CSV');
      assert.ok(saved > 0 && saved < USERS, `${saved} rows, fewer than ${USERS}`);
      await page.close();
      assert.deepEqual(browser.errors, []);
    } finally {
      await configure(emulator.base, NORMAL);
    }
  });
}
