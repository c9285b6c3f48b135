// The dev build loads in Chromium, its worker starts, and the popup shows what Rust renders.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cargoVersion, contentScriptWorld, launch, screenshotPath, startEmulator, tabView, until } from './harness.mjs';

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
  const readerLoaded = () => evaluate("typeof globalThis[Symbol.for('keyward.content')]?.reader?.collect === 'function'");
  assert.equal(await readerLoaded(), false, 'a page that cannot show the credential never loads the field reader');
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
  assert.equal(await readerLoaded(), true, 'the field reader made the full snapshot');
  await page.close();
  assert.deepEqual(browser.errors, []);
});

test("a change the page's text does not show sends the worker nothing, and fails nothing", async () => {
  const { page, evaluate } = await contentScriptWorld(browser, `${emulator.base}/#/dashboard`);
  // The first glance judged: the content script is idle, its next report on a timer of the hook's.
  await tabView(browser, 'console');
  // Each report the content script's timers run, and how it ended; each snapshot it sends.
  await evaluate(`(() => {
    globalThis.kwReports = [];
    globalThis.kwSent = 0;
    const later = setTimeout;
    globalThis.setTimeout = (fn, ms) => later(() => Promise.resolve().then(fn).then(() => kwReports.push('ok'), (e) => kwReports.push(String(e))), ms);
    const send = chrome.runtime.sendMessage.bind(chrome.runtime);
    chrome.runtime.sendMessage = (message) => {
      if (message.type === 'page_snapshot') kwSent++;
      return send(message);
    };
  })()`);
  // A class the page toggles: observed, read again, the same glance.
  await page.evaluate(() => document.querySelector('main').classList.toggle('kw-test'));
  await until(() => evaluate('kwReports.length > 0 && kwReports'), 'the page read again');
  assert.deepEqual(await evaluate('kwReports'), ['ok']);
  assert.equal(await evaluate('kwSent'), 0, 'the same glance is not sent again');
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
  // The body's text, not the head's (its title travels on its own).
  assert.equal(message.snapshot.text.trim(), (await page.evaluate(() => document.body.textContent)).trim());
  assert.equal(message.snapshot.title, 'PingOne — Admin Portal (local sandbox)');
  await page.close();
  assert.deepEqual(browser.errors, []);
});

/** The first page_snapshot the worker gets from the tab showing `url` whose text has `marker`. */
function snapshotFrom(url, marker) {
  return browser.worker.evaluate(
    ([u, m]) =>
      new Promise((resolve) => {
        chrome.runtime.onMessage.addListener(function probe(message, sender) {
          if (message.type === 'page_snapshot' && sender.tab?.url === u && message.snapshot.text.includes(m)) {
            chrome.runtime.onMessage.removeListener(probe);
            resolve(message.snapshot);
          }
        });
      }),
    [url, marker],
  );
}

test("a glance reads the body's text and the frames', never the head's, whatever the document's shape", async () => {
  // Every combination of what pages and their scripts do around the head and the body: a comment
  // or blank text before the head, a head emptied of its title by script, elements after the body,
  // a same-origin frame, a long script in the head that names every credential word.
  const shapes = [];
  for (let bits = 0; bits < 32; bits++) {
    shapes.push({
      comment: !!(bits & 1),
      blankBeforeHead: !!(bits & 2),
      noTitle: !!(bits & 4),
      afterBody: !!(bits & 8),
      frame: !!(bits & 16),
    });
  }
  const page = await browser.context.newPage();
  for (const [index, shape] of shapes.entries()) {
    const url = `${emulator.base}/shape-${index}.html#/dashboard`;
    const headScript = `/* client secret rest credential: HEADWORD-script */
      ${shape.blankBeforeHead ? 'document.documentElement.insertBefore(document.createTextNode(" \\n "), document.head);' : ''}
      ${shape.noTitle ? 'document.querySelector("title").remove();' : ''}
      ${shape.afterBody ? 'addEventListener("DOMContentLoaded", () => document.documentElement.append(Object.assign(document.createElement("div"), { textContent: "AFTERBODY-words" })));' : ''}`;
    const html = `<!doctype html><html>${shape.comment ? '<!-- a comment first -->' : ''}<head><title>HEADWORD-title</title>
      <style>.HEADWORD-style::after { content: "client secret"; }</style><script>${headScript}</script></head>
      <body><h1>  Shape\n   ${index} </h1><h2>Second heading</h2><main><p>BODYWORD-first</p><p>BODYWORD-last</p></main>
      ${shape.frame ? '<iframe srcdoc="<p>FRAMEWORD-inside</p>" onload="document.body.append(\'READY\')"></iframe>' : '<script>document.body.append("READY")</script>'}</body></html>`;
    await page.route(url.replace(/#.*/, ''), (route) => route.fulfill({ contentType: 'text/html', body: html }));
    // Once the frame has loaded, the page says READY in its body: the glance that shows it is judged.
    const seen = snapshotFrom(url, 'READY');
    await page.goto(url);
    const snapshot = await seen;
    const what = `shape ${index} ${JSON.stringify(shape)}: ${JSON.stringify(snapshot.text)}`;
    assert.equal(snapshot.glance, true, what);
    for (const word of ['BODYWORD-first', 'BODYWORD-last']) assert.ok(snapshot.text.includes(word), what);
    if (shape.frame) assert.ok(snapshot.text.includes('FRAMEWORD-inside'), what);
    assert.ok(!snapshot.text.includes('HEADWORD'), what);
    assert.equal(snapshot.title, shape.noTitle ? '' : 'HEADWORD-title', what);
    // A glance carries the page's name: its first heading, as the page has it.
    assert.deepEqual(snapshot.headings.map((h) => h.replace(/\s+/g, ' ').trim()), [`Shape ${index}`], what);
  }
  await page.close();
  assert.deepEqual(browser.errors, []);
});
