// The options page (rendered by Rust): the dev build's "Local emulator" region is set there, or
// pre-set by tests and `make demo`; the store build has no such region.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, presetLocalBase, screenshotPath } from './harness.mjs';

let dev;
before(async () => {
  dev = await launch('chrome-dev');
});
after(async () => {
  await dev?.close();
});

test('the dev build sets the local emulator base, refusing non-loopback URLs', async () => {
  const page = await dev.context.newPage();
  await page.goto(dev.url('options.html'));
  const regions = page.locator('section[aria-labelledby=regions-heading]');
  await regions.waitFor();
  assert.match(await regions.innerText(), /Local emulator: not set/);

  await page.fill('#local-api-base', 'https://directory-api.pingone.com/api');
  await page.keyboard.press('Enter');
  await page.getByRole('alert').waitFor();
  assert.equal(await page.getByRole('alert').count(), 1, 'the notice shows in the submitted form only');
  assert.match(await page.getByRole('alert').innerText(), /Not saved: the local emulator must be on 127\.0\.0\.1 or localhost\./);

  await page.fill('#local-api-base', 'http://127.0.0.1:8787');
  const local = page.getByRole('region', { name: 'Local emulator (dev build)' });
  await local.getByRole('button', { name: 'Save' }).click();
  await local.getByText('Saved.').waitFor();
  assert.match(await regions.innerText(), /Local emulator: http:\/\/127\.0\.0\.1:8787\/api/);
  const stored = await dev.worker.evaluate(() => chrome.storage.local.get('settings'));
  assert.equal(stored.settings.local_api_base, 'http://127.0.0.1:8787/api');

  await page.reload();
  assert.equal(await page.inputValue('#local-api-base'), 'http://127.0.0.1:8787/api', 'it persists');
  await page.screenshot({ path: screenshotPath('options-dev') });
  await page.close();
  assert.deepEqual(dev.errors, []);
});

test('tests and the demo can pre-set the base', async () => {
  await presetLocalBase(dev, 'http://127.0.0.1:9999');
  const page = await dev.context.newPage();
  await page.goto(dev.url('options.html'));
  await page.locator('#local-api-base').waitFor();
  assert.equal(await page.inputValue('#local-api-base'), 'http://127.0.0.1:9999/api');
  await page.close();
});

test('the store build has no local region', async () => {
  const store = await launch('chrome');
  try {
    const page = await store.context.newPage();
    await page.goto(store.url('options.html'));
    const regions = page.locator('section[aria-labelledby=regions-heading]');
    await regions.waitFor();
    const text = await regions.innerText();
    assert.match(text, /North America: https:\/\/directory-api\.pingone\.com\/api/);
    assert.doesNotMatch(text, /Local emulator/);
    assert.equal(await page.locator('#local-api-base').count(), 0);
    assert.deepEqual(store.errors, []);
  } finally {
    await store.close();
  }
});

test('the reminder schedule round-trips through the options page and reaches the worker', async () => {
  const page = await dev.context.newPage();
  await page.goto(dev.url('options.html'));
  const schedule = page.getByRole('region', { name: 'Key renewal reminders' });
  await schedule.waitFor();
  assert.equal(await page.inputValue('#rotation-days'), '90');
  assert.equal(await page.inputValue('#remind-before'), '30, 14, 7, 1');
  await page.fill('#rotation-days', '60');
  await page.fill('#remind-before', '10,3');
  await schedule.getByRole('button', { name: 'Save' }).click();
  await schedule.getByText('Saved.').waitFor();
  await page.fill('#remind-before', '61');
  await schedule.getByRole('button', { name: 'Save' }).click();
  await schedule.getByRole('alert').waitFor();
  // Refused, and nothing typed is lost.
  assert.equal(await page.inputValue('#remind-before'), '61');
  assert.equal(await page.inputValue('#rotation-days'), '60');
  await page.reload();
  assert.equal(await page.inputValue('#rotation-days'), '60');
  assert.equal(await page.inputValue('#remind-before'), '10, 3');
  const stored = await dev.worker.evaluate(() => chrome.storage.local.get('settings'));
  assert.deepEqual(stored.settings.schedule, { rotation_days: 60, remind_before: [10, 3] });
  await page.close();
  assert.deepEqual(dev.errors, []);
});

test('settings export to a file and import back; a foreign file is refused clearly', async () => {
  const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const page = await dev.context.newPage();
  await page.goto(dev.url('options.html'));
  const transfer = page.getByRole('region', { name: 'Export and import settings' });
  await transfer.waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), transfer.getByRole('button', { name: 'Export settings' }).click()]);
  const dir = mkdtempSync(join(tmpdir(), 'keyward-export-'));
  const file = join(dir, download.suggestedFilename());
  await download.saveAs(file);
  assert.equal(download.suggestedFilename(), 'keyward-settings.json');
  const exported = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(exported.keyward, 'settings');
  assert.doesNotMatch(JSON.stringify(exported), /api_key|fingerprint/);

  exported.settings.schedule = { rotation_days: 45, remind_before: [7] };
  writeFileSync(file, JSON.stringify(exported));
  await page.setInputFiles('#import-settings', file);
  await transfer.getByText('Saved.').waitFor();
  await page.reload();
  assert.equal(await page.inputValue('#rotation-days'), '45');

  const foreign = join(dir, 'other.json');
  writeFileSync(foreign, JSON.stringify({ hello: 'world' }));
  await page.setInputFiles('#import-settings', foreign);
  await page.getByRole('region', { name: 'Export and import settings' }).getByRole('alert').waitFor();
  assert.match(await transfer.getByRole('alert').innerText(), /not a Keyward settings export/);
  assert.equal(await page.inputValue('#rotation-days'), '45', 'nothing changed');
  await page.close();
  assert.deepEqual(dev.errors, []);
});
