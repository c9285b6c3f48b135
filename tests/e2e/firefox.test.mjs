// Keyward in Firefox ESR: the Firefox build installed as a temporary add-on through geckodriver
// (plain WebDriver over HTTP), reading the sandbox credentials page and copying through a helper —
// which in Firefox goes through the background page's DOM instead of an offscreen document — and
// exporting to the extension page's disk.
// The firefox-dev flavour differs from dist/firefox only by treating loopback as a console origin.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, admin, closeGate, configure, createUser, csvRows, failNext, openGate, startEmulator, until, untilParked } from './harness.mjs';

const GECKO_ID = 'keyward@keyward.dev';
const UUID = '5d1e8c1a-3c2f-4d6b-9f3a-2b7e4c9d1a60';
const KEY = { tab: '\uE004', enter: '\uE007' };
/** Enough users for an export of several pages (the smallest page is 50). */
const USERS = 3_000;
/** Where Firefox saves what an extension page offers as a download. */
const DOWNLOADS = join(ROOT, 'target', 'e2e', 'firefox-downloads');

let driver;
let base;
let session;
let emulator;
/** Everything Firefox and geckodriver print: with the console prefs below, every console call of
 *  every page and the background page lands here, for the key audit. */
const output = [];

async function wd(method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`);
  return json.value;
}

const s = (path) => `/session/${session}${path}`;
/** A script for `run` in a Keyward page: Keyward's IndexedDB records, every one by key. */
const READ_RECORDS = `const open = indexedDB.open('keyward');
  open.onsuccess = () => {
    const store = open.result.transaction('records').objectStore('records');
    const [keys, values] = [store.getAllKeys(), store.getAll()];
    values.onsuccess = () => {
      open.result.close();
      arguments[0](Object.fromEntries(keys.result.map((key, i) => [key, values.result[i]])));
    };
  };`;
const run = (script, ...args) => wd('POST', s('/execute/async'), { script, args });
const press = (...keys) =>
  wd('POST', s('/actions'), {
    actions: [{ type: 'key', id: 'keyboard', actions: keys.flatMap((k) => [{ type: 'keyDown', value: k }, { type: 'keyUp', value: k }]) }],
  });

before(async () => {
  // A second account for the first day below: its key is one Keyward has never seen.
  emulator = await startEmulator(['--users', String(USERS), '--accounts', '2']);
  rmSync(DOWNLOADS, { recursive: true, force: true });
  mkdirSync(DOWNLOADS, { recursive: true });
  const bin = process.env.GECKODRIVER ?? 'geckodriver';
  driver = spawn(bin, ['--port', '0', '--allow-system-access'], { stdio: ['ignore', 'pipe', 'pipe'] });
  createInterface({ input: driver.stderr }).on('line', (line) => output.push(line));
  base = await new Promise((resolve, reject) => {
    driver.once('exit', (code) => reject(new Error(`geckodriver exited (${code})`)));
    createInterface({ input: driver.stdout }).on('line', (line) => {
      output.push(line);
      const m = line.match(/Listening on ([\d.:]+)/);
      if (m) resolve(`http://${m[1]}`);
    });
  });
  const created = await wd('POST', '/session', {
    capabilities: {
      alwaysMatch: {
        browserName: 'firefox',
        'moz:firefoxOptions': {
          binary: '/usr/bin/firefox-esr',
          args: ['-headless'],
          prefs: {
            'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: UUID }),
            'dom.events.testing.asyncClipboard': true,
            // An optional permission asked for by a click is granted without a prompt, as an
            // admin accepting it would.
            'extensions.webextOptionalPermissionPrompts': false,
            // A file an extension page offers is saved where the test reads it, unasked.
            'browser.download.folderList': 2,
            'browser.download.dir': DOWNLOADS,
            'browser.download.useDownloadDir': true,
            'browser.download.always_ask_before_handling_new_types': false,
            // Console calls of pages, extension pages and the background page go to stdout.
            'devtools.console.stdout.content': true,
            'devtools.console.stdout.chrome': true,
            'browser.dom.window.dump.enabled': true,
          },
        },
      },
    },
  });
  session = created.sessionId;
  await wd('POST', s('/moz/addon/install'), { path: join(ROOT, 'dist', 'firefox-dev'), temporary: true });
});

after(async () => {
  if (session) await wd('DELETE', s('')).catch(() => {});
  driver?.kill();
  await emulator?.stop();
});

test('Firefox: the add-on reads the sandbox credentials page and copies the key', async () => {
  const state = await admin(emulator.base, 'GET', 'state');
  // Point the dev build's "Local emulator" region at this emulator, as its options page would.
  await wd('POST', s('/url'), { url: `moz-extension://${UUID}/options.html` });
  await until(() => run('arguments[0](!!document.getElementById("local-api-base"))'), 'the options form', 20_000);
  await run(`const field = document.getElementById('local-api-base'); field.value = arguments[0];
    field.closest('form').requestSubmit(); arguments[1](true)`, `${emulator.base}/api`);
  await until(() => run('arguments[0](document.body.innerText.includes("Saved."))'), 'the emulator address saved');
  await wd('POST', s('/url'), { url: `${emulator.base}/?layout=table#/setup/directory/api-credentials` });
  await until(() => run('arguments[0](!!document.querySelector("#api-credentials"))'), 'the credentials page');
  await run('document.querySelector("#reveal-key").click(); arguments[0](true)');
  await until(() => run('arguments[0](document.querySelectorAll("[data-keyward-helpers]").length)'), 'the helpers');
  // Wait until the helpers offer the key (the worker has read it), then copy it from the keyboard.
  const readClipboard = () => run('navigator.clipboard.readText().then(arguments[0], () => arguments[0](null))');
  await until(async () => {
    await run('document.querySelector("#reveal-key").focus(); arguments[0](true)');
    await press(KEY.tab, KEY.tab, KEY.enter);
    return (await readClipboard()) === state.api_key;
  }, 'the key on the clipboard', 20_000);
  await run('document.querySelector("#reveal-key").focus(); arguments[0](true)');
  await press(KEY.tab, KEY.enter);
  await until(async () => (await readClipboard()) === state.client_id, 'the Client ID on the clipboard');
  const shadow = await run('arguments[0](document.querySelector("[data-keyward-helpers]").shadowRoot)');
  assert.equal(shadow, null, 'the shadow root is closed in Firefox too');
});

test('Firefox: a popup lookup through the background page', async () => {
  await wd('POST', s('/url'), { url: `moz-extension://${UUID}/popup.html` });
  await until(() => run('arguments[0](!!document.getElementById("lookup-text"))'), 'the lookup panel', 20_000);
  // Choose the region through the popup's own select, as an admin overriding it would, and wait
  // for the screen the save brings (it is mounted afresh) before typing.
  await run(`const r = document.querySelector('.kw-region'); r.value = 'local';
    r.dispatchEvent(new Event('change', { bubbles: true })); arguments[0](true)`);
  await until(
    () => run('arguments[0](document.body.innerText.includes("Saved.") && document.body.innerText.includes("Region: Local emulator"))'),
    'the region saved',
  ).catch(async (e) => {
    console.log(await run('arguments[0](document.body.innerText)'));
    throw e;
  });
  await run('document.getElementById("lookup-text").focus(); arguments[0](true)');
  await press('a');
  await until(
    () => run('arguments[0](document.querySelectorAll("[data-testid=result]").length)'),
    'results in the Firefox popup',
    20_000,
  ).catch(async (e) => {
    console.log(await run('arguments[0](document.getElementById("app").innerText)'));
    throw e;
  });
  const count = await run('arguments[0](document.querySelector("[data-testid=result-count]").textContent)');
  assert.match(count, /match|^\d+ of [\d,]+ shown\./);
});

test('Firefox: an export streams to the disk of the extension page, and is listed from it again', async () => {
  const state = await admin(emulator.base, 'GET', 'state');
  const text = (id) => run(`arguments[0](document.querySelector("[data-testid=${id}]")?.innerText ?? "")`);
  await wd('POST', s('/url'), { url: `moz-extension://${UUID}/export.html?account=${encodeURIComponent(state.client_id)}` });
  await until(() => run('arguments[0](!!document.querySelector("[data-testid=export-start]"))'), 'the export form', 20_000);
  await run('document.querySelector("[data-testid=export-start]").click(); arguments[0](true)');
  const all = USERS.toLocaleString('en-US');
  await until(async () => /^(Complete|Stopped|Incomplete)/.test(await text('export-summary')), 'the export to end', 60_000);
  assert.equal(await text('export-summary'), `Complete: ${all} users.`);
  // On disk (the Origin Private File System), not held in memory: the details say so.
  await until(async () => (await text('export-details')).includes(`${all} users (`), 'every user named on disk');
  await wd('POST', s('/url'), { url: `moz-extension://${UUID}/export.html` });
  await until(async () => /complete/i.test(await text('export-spool')) && /[KM]B/.test(await text('export-spool')), 'the export listed from disk, with its size', 20_000);
});

test("Firefox: Keyward's records are out of content scripts' reach: storage.local holds none, and a write there changes nothing", async () => {
  const state = await admin(emulator.base, 'GET', 'state');
  await wd('POST', s('/url'), { url: `moz-extension://${UUID}/options.html` });
  await until(() => run('arguments[0](!!document.getElementById("clipboard-clear-secs"))'), 'the options form', 20_000);
  // What a content script can read on Firefox: storage.local (bug 1724754). Keyward keeps nothing there.
  const local = () => run('chrome.storage.local.get(null).then((all) => arguments[0](JSON.stringify(all)))');
  assert.equal(await local(), '{}');
  // The records live in the extension origin's IndexedDB, which a content script (its page's
  // origin) cannot open.
  const records = Object.keys(await run(READ_RECORDS));
  assert.ok(records.includes('accounts') && records.includes('fingerprint_salt') && records.includes('settings'), JSON.stringify(records));
  const delay = () => run('arguments[0](document.getElementById("clipboard-clear-secs").value)');
  const before = await delay();
  // A content script's write, as Firefox lets one make it: settings and an account snoozed for a year.
  await run(
    `chrome.storage.local.set({
      settings: { schema: 1, clipboard_clear_secs: 599, local_api_base: 'http://127.0.0.1:9/api' },
      accounts: { [arguments[0]]: { client_id: arguments[0], snoozed_until_ms: Date.now() + 365 * 86400000 } },
    }).then(() => arguments[1](true))`,
    state.client_id,
  );
  await wd('POST', s('/url'), { url: `moz-extension://${UUID}/options.html` });
  await until(() => run('arguments[0](!!document.getElementById("clipboard-clear-secs"))'), 'the options form again', 20_000);
  assert.equal(await delay(), before, 'the delay written to storage.local is not read');
  assert.notEqual(before, '599');
  const base = await run('arguments[0](document.getElementById("local-api-base").value)');
  assert.equal(base, `${emulator.base}/api`, 'the emulator address is the one saved in Options');
});

test('Firefox: the key is in no storage area but storage.session, and in no console line', async () => {
  const state = await admin(emulator.base, 'GET', 'state');
  const forms = [state.api_key, Buffer.from(`${state.client_id}:${state.api_key}`).toString('base64')];
  await wd('POST', s('/url'), { url: `moz-extension://${UUID}/options.html` });
  const stored = await run(`Promise.all([chrome.storage.local.get(null), chrome.storage.sync.get(null), chrome.storage.session.get(null)])
    .then((areas) => arguments[0](areas.map((a) => JSON.stringify(a))))`);
  const [local, sync, sessionArea] = stored;
  assert.deepEqual(forms.filter((f) => local.includes(f) || sync.includes(f)), [], 'storage.local and sync hold no key');
  const idb = JSON.stringify(await run(READ_RECORDS));
  assert.deepEqual(forms.filter((f) => idb.includes(f)), [], "Keyward's IndexedDB records hold no key");
  assert.ok(sessionArea.includes(state.api_key), 'storage.session keeps it for this browser session');
  // The console is watched: a line logged by an extension page arrives in the output.
  await run("console.log('keyward audit probe'); arguments[0](true)");
  await until(() => output.some((line) => line.includes('keyward audit probe')), 'the probe in the console output');
  assert.deepEqual(output.filter((line) => forms.some((f) => line.includes(f))), [], 'no console line shows the key');
});

test('Firefox: with the clipboard check turned on in Options, a due clear empties an unchanged clipboard and leaves a newer one', async () => {
  const state = await admin(emulator.base, 'GET', 'state');
  const options = `moz-extension://${UUID}/options.html`;
  const granted = () => run("chrome.permissions.contains({ permissions: ['clipboardRead'] }).then(arguments[0])");
  await wd('POST', s('/url'), { url: options });
  await until(() => run('arguments[0](!!document.getElementById("clipboard-check"))'), 'the clipboard check', 20_000);
  assert.equal(await granted(), false, 'nothing of Keyward may read the clipboard by default');
  assert.equal(await run('arguments[0](document.getElementById("clipboard-check").checked)'), false);
  // The admin ticks the box: a real click, which the browser needs before it grants a permission.
  const box = await wd('POST', s('/element'), { using: 'css selector', value: '#clipboard-check' });
  await wd('POST', s(`/element/${Object.values(box)[0]}/click`), {});
  await until(granted, 'the permission granted');
  await until(() => run('arguments[0](document.getElementById("clipboard-check").checked && document.body.innerText.includes("Saved."))'), 'the check shown on');

  // Clears come due at once: their time in storage.session moved to now, their alarms fired.
  const clearsDueNow = async () => {
    await wd('POST', s('/url'), { url: options });
    await run(`chrome.storage.session.get('clipboard_pending').then(async ({ clipboard_pending: pending = [] }) => {
      await chrome.storage.session.set({ clipboard_pending: pending.map((p) => ({ ...p, due_ms: Date.now() })) });
      for (const p of pending) await chrome.alarms.create('keyward-clipboard-clear:' + p.token, { when: Date.now() });
      arguments[0](true);
    })`);
    await until(() => run("chrome.storage.session.get('clipboard_pending').then((v) => arguments[0]((v.clipboard_pending ?? []).length === 0))"), 'the clears done');
  };
  const readClipboard = () => run('navigator.clipboard.readText().then(arguments[0], () => arguments[0](null))');
  const copyKey = async () => {
    await wd('POST', s('/url'), { url: `${emulator.base}/?layout=table#/setup/directory/api-credentials` });
    await until(() => run('arguments[0](!!document.querySelector("#api-credentials"))'), 'the credentials page');
    await run('document.querySelector("#reveal-key").click(); arguments[0](true)');
    await until(() => run('arguments[0](document.querySelectorAll("[data-keyward-helpers]").length)'), 'the helpers');
    await until(async () => {
      await run('document.querySelector("#reveal-key").focus(); arguments[0](true)');
      await press(KEY.tab, KEY.tab, KEY.enter);
      return (await readClipboard()) === state.api_key;
    }, 'the key on the clipboard', 20_000);
  };
  await clearsDueNow(); // any clear left from earlier tests
  await copyKey();
  await clearsDueNow();
  assert.equal(await readClipboard(), '', 'the unchanged clipboard emptied');
  await copyKey();
  await run("navigator.clipboard.writeText('something newer').then(() => arguments[0](true))");
  await clearsDueNow();
  assert.equal(await readClipboard(), 'something newer', 'a newer clipboard left alone');
});

// The trust boundaries a page's own scripts meet, on Firefox (`boundaries.test.mjs` holds them on
// Chrome, and the ones only a content script's world could test: geckodriver cannot reach that world).
describe("Firefox: the console page's own scripts", () => {
  let keywardTab;
  let consoleTab;
  before(async () => {
    consoleTab = await wd('GET', s('/window'));
    keywardTab = (await wd('POST', s('/window/new'), { type: 'tab' })).handle;
    await wd('POST', s('/window'), { handle: keywardTab });
    await wd('POST', s('/url'), { url: `moz-extension://${UUID}/options.html` });
    await wd('POST', s('/window'), { handle: consoleTab });
  });
  after(async () => {
    await wd('POST', s('/window'), { handle: keywardTab });
    await wd('DELETE', s('/window'));
    await wd('POST', s('/window'), { handle: consoleTab });
  });
  /** Runs `script` in Keyward's options page (a tab of its own), then comes back to the console. */
  const inKeyward = async (script, ...args) => {
    await wd('POST', s('/window'), { handle: keywardTab });
    try {
      return await run(script, ...args);
    } finally {
      await wd('POST', s('/window'), { handle: consoleTab });
    }
  };
  const storedAccounts = async () => (await inKeyward(READ_RECORDS)).accounts?.accounts ?? {};
  const sessionKeys = () => inKeyward("chrome.storage.session.get('keys').then((v) => arguments[0](v.keys ?? {}))");
  const tabView = (kind) =>
    until(
      () =>
        inKeyward(
          `const [kind, done] = arguments;
          chrome.tabs.query({}).then(async (tabs) => {
            const views = [];
            for (const tab of tabs) views.push(await chrome.runtime.sendMessage({ type: 'tab_state', tab_id: tab.id }));
            done(views.find((v) => v?.kind === kind) ?? null);
          });`,
          kind,
        ),
      `a tab showing ${kind}`,
    );
  const click = async (selector) => {
    const found = await wd('POST', s('/element'), { using: 'css selector', value: selector });
    await wd('POST', s(`/element/${Object.values(found)[0]}/click`), {});
  };
  /** Opens the credentials page in a fresh tab (each test its own, as on Chrome) and reads the key. */
  const readKey = async () => {
    const old = consoleTab;
    consoleTab = (await wd('POST', s('/window/new'), { type: 'tab' })).handle;
    await wd('POST', s('/window'), { handle: old });
    await wd('DELETE', s('/window'));
    await wd('POST', s('/window'), { handle: consoleTab });
    await wd('POST', s('/url'), { url: `${emulator.base}/?layout=table#/setup/directory/api-credentials` });
    await until(() => run('arguments[0](!!document.querySelector("#reveal-key"))'), 'the credentials page');
    await click('#reveal-key');
    await until(async () => (await tabView('credentials')).key === 'shown', 'the key read');
  };
  /** Writes `values` (element id → text) into the page from its own script. */
  const pageWrites = (values) =>
    run(`for (const [id, value] of Object.entries(arguments[0])) {
        const shown = document.getElementById(id);
        if (shown.tagName === 'INPUT') shown.value = value; else shown.textContent = value;
      }
      document.body.append(document.createComment('changed'));
      arguments[1](true);`, values);

  test('an untrusted Save is no Save', async () => {
    const state = await admin(emulator.base, 'GET', 'state');
    await readKey();
    const kept = (await sessionKeys())[state.client_id];
    const renewals = (await storedAccounts())[state.client_id].renewals.length;
    await click('#edit');
    await click('#renew');
    await until(() => run('arguments[0](!!document.querySelector("#new-api-key-value"))'), 'the new key shown');
    await until(async () => (await tabView('credentials')).summary.includes('A renewed key is shown'), 'the renewal seen');
    await run("document.getElementById('save').click(); arguments[0](true)");
    await until(async () => (await tabView('credentials')).key === 'hidden', 'the saved page read');
    assert.equal((await sessionKeys())[state.client_id], kept, 'the renewed key was not taken');
    assert.equal((await storedAccounts())[state.client_id].renewals.length, renewals, 'no renewal recorded');
  });

  test('a key the page swaps in is a claim: no renewal, the key age kept', async () => {
    const state = await admin(emulator.base, 'GET', 'state');
    await readKey();
    await until(async () => !(await tabView('credentials')).summary.includes('is asking the Directory API'), 'the key shown settled');
    const known = (await storedAccounts())[state.client_id];
    const kept = (await sessionKeys())[state.client_id];
    await pageWrites({ 'api-key-value': 'Zz9' + state.api_key.slice(3).split('').reverse().join('') });
    await until(async () => (await tabView('credentials')).summary.includes('The page shows a different key'), 'the swapped key seen as a claim');
    await until(async () => !(await tabView('credentials')).summary.includes('is asking the Directory API'), 'the question answered');
    const after = (await storedAccounts())[state.client_id];
    assert.deepEqual([after.key, after.renewals], [known.key, known.renewals]);
    assert.equal((await sessionKeys())[state.client_id], kept);
  });

  test('a Client ID the page makes up stays unconfirmed, never reminded of', async () => {
    const state = await admin(emulator.base, 'GET', 'state');
    await readKey();
    const madeUp = '0b1e2d3c-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
    await pageWrites({ 'client-id-value': madeUp, 'api-key-value': 'Qq7' + state.api_key.slice(3).split('').reverse().join('') });
    await until(async () => (await tabView('credentials')).client_id === madeUp, 'the made-up Client ID read');
    const listed = async () => (await tabView('credentials')).accounts.find((a) => a.client_id === madeUp);
    await until(async () => (await listed())?.region_status === 'unknown', 'every region asked');
    assert.equal((await storedAccounts())[madeUp].unconfirmed, true);
    assert.equal((await listed()).reminding, false);
  });
});

// The first day of `first-day.test.mjs`, walked in Firefox with the second account: a key Keyward
// has never seen, a region chosen by hand, the key's date asked once, Options keeping a refused
// value's neighbours, Forget and Undo, a renewal verified, searches with accents and as "Last,
// First", an export paused and saved as a CSV, and PingOne going away and coming back.
describe('Firefox: a first day', () => {
  const DAY = 86_400_000;
  let state;
  const text = () => run('arguments[0](document.body.innerText)');
  const open = async (url, ready) => {
    await wd('POST', s('/url'), { url });
    await until(() => run(`arguments[0](!!document.querySelector(${JSON.stringify(ready)}))`), url, 20_000);
  };
  /** A real click; retried while the page is still drawing the element. */
  const click = (selector) =>
    until(async () => {
      try {
        const found = await wd('POST', s('/element'), { using: 'css selector', value: selector });
        await wd('POST', s(`/element/${Object.values(found)[0]}/click`), {});
        return true;
      } catch {
        return false;
      }
    }, `a click on ${selector}`);
  const popup = () => open(`moz-extension://${UUID}/popup.html`, '#lookup-text');
  /** Runs `script` with `item`, the popup's entry for the account; `arguments[1]`… are `args`. */
  const item = (script, ...args) =>
    run(`const item = document.querySelector('li[data-client-id="' + arguments[0] + '"]'); ${script}`, state.client_id, ...args);
  let mainWindow;
  let keywardWindow;
  /** Runs `script` in a Keyward page of its own window, then comes back. */
  const inKeyward = async (script, ...args) => {
    await wd('POST', s('/window'), { handle: keywardWindow });
    try {
      return await run(script, ...args);
    } finally {
      await wd('POST', s('/window'), { handle: mainWindow });
    }
  };
  /** What the worker says of the tab showing the account. */
  const summary = () =>
    inKeyward(`chrome.tabs.query({}).then(async (tabs) => {
      for (const tab of tabs) {
        const view = await chrome.runtime.sendMessage({ type: 'tab_state', tab_id: tab.id });
        if (view?.client_id === arguments[0]) return arguments[1](view.summary);
      }
      arguments[1]('');
    })`, state.client_id);
  const consolePage = () => `${emulator.base}/?account=1&layout=table#/setup/directory/api-credentials`;

  before(async () => {
    mainWindow = await wd('GET', s('/window'));
    keywardWindow = (await wd('POST', s('/window/new'), { type: 'tab' })).handle;
    await wd('POST', s('/window'), { handle: keywardWindow });
    await wd('POST', s('/url'), { url: `moz-extension://${UUID}/options.html` });
    await wd('POST', s('/window'), { handle: mainWindow });
    state = await admin(emulator.base, 'GET', 'state?account=1');
    await createUser(emulator.base, { clientId: state.client_id, apiKey: state.api_key }, 'a.nunez@example.org', 'Amélie', 'Núñez');
  });

  test('the first read: no region settles, the admin chooses it; the key\'s age is asked once', async () => {
    await failNext(emulator.base, { count: 1, status: 401, path_contains: '/directory/user?' });
    await open(consolePage(), '#reveal-key');
    await click('#reveal-key');
    await popup();
    await until(async () => {
      await popup();
      return item('arguments[1](item?.querySelector("select.kw-region option:checked")?.textContent)').then((t) => t === 'Region unknown — choose');
    }, 'the region search ended', 30_000);
    await item(`const r = item.querySelector('select.kw-region'); r.value = 'local';
      r.dispatchEvent(new Event('change', { bubbles: true })); arguments[1](true)`);
    await until(async () => (await text()).includes('Saved.'), 'the region saved');
    const today = new Date().toISOString().slice(0, 10);
    await until(() => item('arguments[1](item.innerText)').then((t) => t.includes(`Key age unknown — first seen ${today}`)), 'the age unknown');
    const created = new Date(Date.now() - 200 * DAY).toISOString().slice(0, 10);
    await item(`const form = item.querySelector('form[data-form=key-date]');
      form.querySelector('input[type=date]').value = arguments[1]; form.requestSubmit(); arguments[2](true)`, created);
    await until(() => item('arguments[1](item.innerText)').then((t) => t.includes('Key age 200 days: overdue for renewal by 110 days.')), 'the age the admin gave');
    assert.equal(await item('arguments[1](!!item.querySelector("form[data-form=key-date]"))'), false, 'asked once');
  });

  test('Options keeps what was typed when a value is refused; Forget asks, Undo brings it back', async () => {
    await open(`moz-extension://${UUID}/options.html`, `form[data-client-id="${state.client_id}"]`);
    const form = `form[data-client-id="${state.client_id}"]`;
    const fill = (name, value) => run(`document.querySelector(arguments[0] + ' [name=' + arguments[1] + ']').value = arguments[2]; arguments[3](true)`, form, name, value);
    const value = (name) => run(`arguments[2](document.querySelector(arguments[0] + ' [name=' + arguments[1] + ']').value)`, form, name);
    await fill('label', 'Payroll production');
    await fill('colour', 'red');
    await run(`document.querySelector(arguments[0]).requestSubmit(); arguments[1](true)`, form);
    await until(async () => (await text()).includes('Not saved: the colour must look like #1a2b3c.'), 'the refusal');
    assert.equal(await value('label'), 'Payroll production', 'the label kept');
    await fill('colour', '1f6feb');
    await run(`document.querySelector(arguments[0]).requestSubmit(); arguments[1](true)`, form);
    await until(async () => (await text()).includes('Saved.'), 'saved');
    await click(`${form} [data-action=forget]`);
    await click(`${form} [data-action=forget]`);
    await until(async () => (await text()).includes(`Account ${state.client_id} forgotten.`), 'forgotten');
    await click('[data-action=undo-forget]');
    await until(async () => (await run(READ_RECORDS)).accounts?.accounts?.[state.client_id]?.label === 'Payroll production', 'the account back');
  });

  test('a renewal is verified after Save; a search ignores accents and takes "Last, First"', async () => {
    await open(consolePage(), '#reveal-key');
    await click('#reveal-key');
    await click('#edit');
    await click('#renew');
    await until(() => run('arguments[0](!!document.querySelector("#new-api-key-value"))'), 'the renewed key shown');
    // Once Keyward has seen the renewed key, its own helper copies it, from the keyboard: Tab
    // into the helpers, then each in turn (Enter only ever inside Keyward's helpers).
    await until(async () => (await summary()).includes('A renewed key is shown'), 'the renewed key seen by Keyward');
    const renewed = (await admin(emulator.base, 'GET', 'state?account=1')).pending_key;
    const readClipboard = () => run('navigator.clipboard.readText().then(arguments[0], () => arguments[0](null))');
    const inHelpers = () => run("arguments[0](!!document.activeElement?.hasAttribute('data-keyward-helpers'))");
    await run(`const v = document.getElementById('client-id-value'); v.tabIndex = -1; v.focus(); arguments[0](true)`);
    for (let tabs = 0; tabs < 20 && !(await inHelpers()); tabs++) await press(KEY.tab);
    let copied = null;
    for (let helper = 0; helper < 8 && copied !== renewed && (await inHelpers()); helper++) {
      const before = await readClipboard();
      await press(KEY.enter);
      // Each helper copies something new (the Client ID, the key, a header…): wait for it.
      copied = await until(async () => {
        const now = await readClipboard();
        return now !== before && now;
      }, `helper ${helper + 1} to copy`);
      if (copied !== renewed) await press(KEY.tab);
    }
    assert.equal(copied, renewed, "the renewed key copied by its own helper");
    await click('#save');
    await popup();
    await until(async () => {
      await popup();
      return (await item('arguments[1](item.innerText)')).includes('Key age 0 days: due for renewal in 90 days.');
    }, 'the renewal recorded');
    await until(async () => (await summary()).includes('New key verified ✓ — the Directory API accepted it.'), 'the new key verified', 20_000);
    await run(`const a = document.getElementById('lookup-account'); a.value = arguments[0];
      a.dispatchEvent(new Event('change', { bubbles: true })); arguments[1](true)`, state.client_id);
    for (const typed of ['amelie', 'Núñez, Amélie']) {
      await run(`const t = document.getElementById('lookup-text'); t.value = arguments[0];
        t.dispatchEvent(new Event('input', { bubbles: true })); arguments[1](true)`, typed);
      await until(async () => (await run('arguments[0]([...document.querySelectorAll(".kw-title")].map((e) => e.textContent))')).includes('a.nunez@example.org'), `found by "${typed}"`, 20_000);
    }
  });

  test('an export pauses at once and opens cleanly as a CSV', async () => {
    await open(`moz-extension://${UUID}/export.html?account=${encodeURIComponent(state.client_id)}`, '[data-testid=export-start]');
    const summary = () => run('arguments[0](document.querySelector("[data-testid=export-summary]")?.innerText ?? "")');
    const press = (label) => run(`[...document.querySelectorAll('[data-testid=export-controls] button')].find((b) => b.textContent === arguments[0]).click(); arguments[1](true)`, label);
    await closeGate(emulator.base, { path_contains: '/directory/user?', pass: 1 });
    try {
      await click('[data-testid=export-start]');
      await until(async () => /Exported [1-9]/.test(await summary()), 'the first page', 20_000);
      await untilParked(emulator.base);
      await press('Pause');
      await until(async () => /^Paused at/.test(await summary()), 'paused');
    } finally {
      await openGate(emulator.base);
    }
    const pausedAt = await summary();
    await until(async () => {
      const api = await run("chrome.runtime.sendMessage({ type: 'api_status' }).then(arguments[0])");
      return api.queued === 0 && api.in_flight === 0;
    }, 'the pages out have landed');
    assert.equal(await summary(), pausedAt, 'the count stopped at the click');
    await press('Resume');
    await until(async () => /^Complete: /.test(await summary()), 'complete', 60_000);
    await press('Save CSV');
    const name = await until(() => readdirSync(DOWNLOADS).find((f) => f.endsWith('.csv') && !existsSync(join(DOWNLOADS, `${f}.part`))), 'the CSV saved');
    assert.match(name, new RegExp(`^keyward-${state.client_id.slice(0, 8)}-users-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
    const text = readFileSync(join(DOWNLOADS, name), 'utf8');
    assert.ok(text.startsWith('\u{feff}'), 'UTF-8 with a byte-order mark, for Excel');
    const [header, ...rows] = csvRows(text);
    assert.deepEqual(header.slice(0, 2), ['id', 'userName']);
    const amelie = rows.map((r) => Object.fromEntries(r.map((v, i) => [header[i], v]))).find((r) => r.userName === 'a.nunez@example.org');
    assert.equal(amelie?.displayName, 'Amélie Núñez');
  });

  test('PingOne goes away and comes back: said plainly, and the popup recovers by itself', async () => {
    await popup();
    await run(`const a = document.getElementById('lookup-account'); a.value = arguments[0];
      a.dispatchEvent(new Event('change', { bubbles: true })); arguments[1](true)`, state.client_id);
    await configure(emulator.base, { faults: { reset_share: 1 } });
    try {
      await run(`const t = document.getElementById('lookup-text'); t.value = 'nunez';
        t.dispatchEvent(new Event('input', { bubbles: true })); arguments[0](true)`);
      const failure = () => run('arguments[0](document.querySelector("[data-testid=lookup-failure]")?.innerText ?? "")');
      await until(async () => /Could not reach PingOne/.test(await failure()), 'the failure said', 30_000);
      assert.match(await failure(), /tries again by itself/);
      assert.doesNotMatch(await failure(), /NetworkError|Failed to fetch/);
    } finally {
      await configure(emulator.base, { faults: { reset_share: 0 } });
    }
    await until(async () => (await run('arguments[0]([...document.querySelectorAll(".kw-title")].map((e) => e.textContent))')).includes('a.nunez@example.org'), 'the results, unasked', 30_000);
  });
});
