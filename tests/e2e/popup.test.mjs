// The dev build loads in Chromium, its worker starts, and the popup shows what Rust renders.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cargoVersion, contentScriptWorld, launch, screenshotPath, startEmulator, until } from './harness.mjs';

let browser;
let emulator;
before(async () => {
  emulator = await startEmulator();
  browser = await launch('chrome-dev');
});
after(async () => {
  await browser?.close();
  await emulator?.stop();
});

test('the popup shows the Rust-rendered first screen', async () => {
  const page = await browser.context.newPage();
  await page.goto(browser.url('popup.html'));
  const empty = page.getByTestId('empty-state');
  await empty.waitFor();
  assert.match(
    await empty.innerText(),
    /No PingOne for Enterprise account seen yet — open the admin console’s API Credentials page\./,
  );
  assert.equal(await page.locator('h1').innerText(), 'Keyward');
  assert.equal(await page.getByTestId('version').innerText(), `v${cargoVersion()}`);
  // The one action is reachable from the keyboard.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Open the admin console');
  await page.screenshot({ path: screenshotPath('popup-light') });
  await page.emulateMedia({ colorScheme: 'dark' });
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(bg, 'rgb(255, 255, 255)', 'dark mode changes the background');
  await page.screenshot({ path: screenshotPath('popup-dark') });
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('the worker answers its own pages (status, API scheduler) and refuses the rest', async () => {
  const page = await browser.context.newPage();
  await page.goto(browser.url('popup.html'));
  const status = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'status' }));
  assert.deepEqual(status, { type: 'status', name: 'Keyward', version: cargoVersion(), flavour: 'dev' });
  const refused = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'page_seen', url: 'x' }));
  assert.equal(refused.type, 'refused');
  const api = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'api_status' }));
  assert.deepEqual(api, { type: 'api_status', queued: 0, in_flight: 0, waiting_ms: null, recent_429s: 0, capped_from_secs: null });
  const garbage = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'give_me_the_key' }));
  assert.equal(garbage.type, 'refused');
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('a console page whose text keeps changing is glanced at most once a second, and a credential label still gets read', async () => {
  const { page, evaluate } = await contentScriptWorld(browser, `${emulator.base}/#/dashboard`);
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  // When each snapshot leaves the content script, on the clock its throttle uses.
  await evaluate(`(() => {
    globalThis.keywardSent = [];
    const send = chrome.runtime.sendMessage.bind(chrome.runtime);
    chrome.runtime.sendMessage = (message) => {
      if (message.type === 'page_snapshot') keywardSent.push({ at: performance.now(), glance: message.snapshot.glance });
      return send(message);
    };
  })()`);
  // The page's own ticker: new text every 50 ms, the same URL and headings.
  await page.evaluate(() => {
    const ticker = document.createElement('p');
    document.querySelector('main').append(ticker);
    let n = 0;
    setInterval(() => (ticker.textContent = `Sign-ons so far: ${++n}`), 50);
  });
  const sent = () => evaluate('keywardSent');
  const glances = await until(async () => {
    const all = await sent();
    return all.length >= 4 && all;
  }, 'four glances of the ticking page');
  assert.ok(glances.every((s) => s.glance), 'only glances: nothing on the page asks for its fields');
  // The throttle's promise, whatever the machine's speed: glances at least a second apart (the
  // millisecond is the instrument's: each time is taken just after the throttle's own).
  const gaps = glances.slice(1).map((s, i) => s.at - glances[i].at);
  assert.ok(gaps.every((gap) => gap >= 999), `glances ${gaps.map((g) => g.toFixed(0)).join(', ')} ms apart`);
  // Text that could be a credential label still gets through, and the worker asks for the fields.
  await page.evaluate(() => {
    const line = document.createElement('p');
    line.textContent = 'Client ID: not-the-directory-one-1';
    document.querySelector('main').append(line);
  });
  await until(async () => (await sent()).some((s) => !s.glance), 'a full snapshot');
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test('the content script reports the sandbox console page to the worker', async () => {
  const page = await browser.context.newPage();
  const seen = browser.worker.evaluate(
    () =>
      new Promise((resolve) => {
        chrome.runtime.onMessage.addListener(function probe(message, sender) {
          if (message.type === 'page_snapshot') {
            chrome.runtime.onMessage.removeListener(probe);
            resolve({ message, tab: sender.tab?.url });
          }
        });
      }),
  );
  await page.goto(`${emulator.base}/#/dashboard`);
  const { message, tab } = await seen;
  assert.equal(message.snapshot.url, `${emulator.base}/#/dashboard`);
  assert.equal(tab, `${emulator.base}/#/dashboard`);
  assert.ok(message.snapshot.headings.includes('Dashboard'));
  // A plain console page gets a glance: its fields (a labelled select, a "Label: value" line) are
  // not read until the page's text could hold a credential label.
  assert.equal(message.snapshot.glance, true);
  assert.deepEqual(message.snapshot.items, []);
  assert.match(message.snapshot.text, /SSO activity: 1,204 sign-ons/);
  await page.close();
  assert.deepEqual(browser.errors, []);
});
