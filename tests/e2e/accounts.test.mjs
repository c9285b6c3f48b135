// Two accounts, one limit each: P14E limits every Client ID on its own, and so does Keyward. With
// both keys read from the sandbox (one emulator serving two accounts), account A's export held in a
// 429 storm must not hold back account B's lookups, and each request goes with its own account's
// credentials.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  admin,
  emulatorLog,
  launch,
  popupReady,
  presetLocalBase,
  readSandboxKey,
  resetLog,
  sandboxCredentials,
  startEmulator,
  until,
} from './harness.mjs';

let browser;
let emulator;
let a;
let b;

before(async () => {
  emulator = await startEmulator(['--accounts', '2', '--users', '40']);
  browser = await launch('chrome-dev');
  await presetLocalBase(browser, emulator.base);
  [a, b] = [await sandboxCredentials(emulator.base, 0), await sandboxCredentials(emulator.base, 1)];
  await (await readSandboxKey(browser, emulator.base, a.clientId, 'local', 0)).close();
  await (await readSandboxKey(browser, emulator.base, b.clientId, 'local', 1)).close();
});
after(async () => {
  await browser?.close();
  await emulator?.stop();
});

test("one account's 429 storm leaves another account's lookups alone", async () => {
  assert.notEqual(a.clientId, b.clientId);
  // A storm on A alone; A's export meets it and waits.
  await resetLog(emulator.base);
  await admin(emulator.base, 'PATCH', 'config?account=0', { storm_seconds: 600 });
  const exporter = await browser.context.newPage();
  await exporter.goto(browser.url(`export.html?account=${encodeURIComponent(a.clientId)}`));
  await exporter.getByTestId('export-start').click();
  const byAccount = async (account, status) =>
    (await emulatorLog(emulator.base, 1000)).recent.filter((e) => e.account === account && (status === undefined || e.status === status));
  await until(async () => (await byAccount(0, 429)).length >= 2, "A's export answered 429 twice");
  await exporter.getByTestId('export-rate').waitFor();
  assert.match(await exporter.getByTestId('export-rate').innerText(), /rate limit/i);

  // B's lookup: B's own user comes back, with B's key, while A is still held.
  const { resources } = await (
    await fetch(`${emulator.base}/api/directory/user?count=1`, {
      headers: { authorization: `Basic ${Buffer.from(`${b.clientId}:${b.apiKey}`).toString('base64')}` },
    })
  ).json();
  const name = resources[0].userName;
  const popup = await browser.context.newPage();
  await popup.goto(browser.url('popup.html'));
  await popupReady(popup);
  await popup.selectOption('#lookup-account', b.clientId);
  await popup.fill('#lookup-text', name);
  await popup.getByTestId('result').filter({ hasText: name }).first().waitFor();
  const lookups = (await byAccount(1)).filter((e) => e.path.startsWith('/api/directory/user?') && e.path.includes('filter='));
  assert.ok(lookups.length >= 1, "B's lookup reached the API");
  assert.deepEqual([...new Set(lookups.map((e) => e.status))], [200], "B's lookups were answered, not throttled");
  assert.ok((await byAccount(0, 200)).length === 0, 'A is still in its storm');
  await exporter.close();
  await popup.close();
  assert.deepEqual(browser.errors, []);
});
