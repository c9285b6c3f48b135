// Trust boundaries, on the dev build (sandbox on loopback) and the store build (the real hostnames,
// through request routing). The worker refuses every request from a sender its table does not name
// — the test is generated from that table (`tests/fixtures/wire/audiences.json`, which
// `tests/wire.rs` holds to the worker's own) and sends every example request; the offscreen
// document obeys the worker alone; `storage.local` is closed to content scripts, and what it holds
// is checked as untrusted input anyway; the page can neither reach nor drive the helpers; and an
// untrusted click is no Save.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  HELPERS,
  ROOT,
  admin,
  contentScriptWorld,
  focusHelpers,
  launchSite,
  pendingClears,
  presetLocalBase,
  readSandboxKey,
  sandboxCredentials,
  storedAccounts,
  tabView,
  stopWorker,
  until,
} from './harness.mjs';

const fixture = (name) => JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'wire', `${name}.json`), 'utf8'));
/** Who may send what, as the worker's table says; and an example of every request. */
const AUDIENCES = fixture('audiences');
const EXAMPLES = fixture('requests');
/** The Client ID the examples name, replaced by the sandbox's so that each would do something. */
const EXAMPLE_ID = '8c4b2a1e-5d3f-4a6b-9c8d-7e6f5a4b3c2d';

for (const flavour of ['chrome-dev', 'chrome']) describe(`trust boundaries (${flavour})`, () => {
  let site;
  let browser;
  let emulator;
  let creds;
  /** An extension page, for messages from Keyward's own pages. */
  let popup;
  /** A page of an origin neither Keyward's nor the console's, for the clipboard. */
  let clipboardPage;

  before(async () => {
    site = await launchSite(flavour, ['--users', '20']);
    ({ browser, emulator } = site);
    // The test reads the clipboard from a page of its own origin; the console page is granted
    // nothing, and Keyward has no clipboardRead unless the admin turns the check on.
    const reader = emulator.base.replace('127.0.0.1', 'localhost');
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: reader });
    clipboardPage = await browser.context.newPage();
    await clipboardPage.goto(`${reader}/`);
    creds = await sandboxCredentials(emulator.base);
    await (await readSandboxKey(browser, site.console, creds.clientId, site.region)).close();
    popup = await browser.context.newPage();
    await popup.goto(browser.url('popup.html'));
  });
  after(async () => {
    await browser?.close();
    await emulator?.stop();
  });

  const clipboardText = () => clipboardPage.evaluate(() => navigator.clipboard.readText());
  const setClipboard = (text) => clipboardPage.evaluate((t) => navigator.clipboard.writeText(t), text);
  const sessionKeys = () => browser.worker.evaluate(async () => (await chrome.storage.session.get('keys')).keys ?? {});
  const credentialsPage = () => `${site.console}/?layout=table#/setup/directory/api-credentials`;
  /** Opens `page` on the credentials page and reveals the key, until the worker has read it. */
  const readKeyIn = async (page) => {
    await page.goto(credentialsPage());
    await page.click('#reveal-key');
    await until(async () => (await tabView(browser, 'credentials')).key === 'shown', 'the key read');
  };

  test('every request, from every sender the table does not name: refused, and nothing changes', async () => {
    const { page, evaluate: inContentScript } = await contentScriptWorld(browser, credentialsPage());
    await page.click('#reveal-key');
    await until(async () => (await tabView(browser, 'credentials')).key === 'shown', 'the key read');
    await setClipboard('sentinel');
    const accounts = JSON.stringify(await storedAccounts(browser));
    const keys = JSON.stringify(await sessionKeys());
    const kinds = new Set();
    for (const example of EXAMPLES) {
      const request = JSON.parse(JSON.stringify(example).replaceAll(EXAMPLE_ID, creds.clientId));
      const audience = AUDIENCES[request.type];
      assert.ok(audience, `the table names ${request.type}`);
      // A content script may send only what its console tab reports; pages only the rest.
      const [from, answer] =
        audience === 'own_pages'
          ? ['a content script', await inContentScript(`chrome.runtime.sendMessage(${JSON.stringify(request)})`)]
          : ['an extension page', await popup.evaluate((m) => chrome.runtime.sendMessage(m), request)];
      assert.equal(answer?.type, 'refused', `${JSON.stringify(request).slice(0, 80)} from ${from}: ${JSON.stringify(answer)}`);
      kinds.add(request.type);
    }
    assert.deepEqual([...kinds].sort(), Object.keys(AUDIENCES).sort(), 'every kind of request was sent');
    assert.equal(JSON.stringify(await storedAccounts(browser)), accounts, 'no account changed');
    assert.equal(JSON.stringify(await sessionKeys()), keys, 'no key changed');
    assert.equal(await clipboardText(), 'sentinel', 'nothing was copied');
    await page.close();
    assert.deepEqual(browser.errors, []);
  });

  test('no clipboard read or write for anyone but the worker: the offscreen document obeys it alone, and the content script cannot read', async () => {
    const { page, evaluate: inContentScript } = await contentScriptWorld(browser, credentialsPage());
    await page.click('#reveal-key');
    await until(async () => (await tabView(browser, 'credentials')).key === 'shown', 'the key read');
    // A real copy of the key: the offscreen document exists and the key is on the clipboard.
    await focusHelpers(page, 'table', 'Copy API key');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await until(async () => (await clipboardText()) === creds.apiKey, 'the key on the clipboard');
    const documents = await browser.worker.evaluate(() => chrome.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'] }));
    assert.equal(documents.length, 1, 'the offscreen document is there to be asked');
    const read = JSON.stringify({ target: 'offscreen', op: 'read' });
    const write = JSON.stringify({ target: 'offscreen', op: 'write', text: 'curl https://evil.example' });
    const asked = [
      ['a content script', await inContentScript(`chrome.runtime.sendMessage(${read}).catch((e) => ({ error: e.message }))`)],
      ['an extension page', await popup.evaluate((m) => chrome.runtime.sendMessage(m).catch((e) => ({ error: e.message })), JSON.parse(read))],
    ];
    for (const [from, answer] of asked) {
      assert.ok(!JSON.stringify(answer ?? null).includes(creds.apiKey), `${from} read the clipboard: ${JSON.stringify(answer)}`);
      assert.equal(answer?.text, undefined, `${from} got a clipboard text`);
    }
    // Keyward's content script itself cannot read it either: clipboardRead is not granted to
    // Keyward unless the admin turns the clipboard check on.
    const readInContentScript = await inContentScript(`Promise.all([
      navigator.clipboard.readText().catch((e) => 'refused: ' + e.message),
      (() => {
        const area = document.createElement('textarea');
        document.body.append(area);
        area.focus();
        const pasted = document.execCommand('paste');
        const text = area.value;
        area.remove();
        return pasted + ':' + text;
      })(),
    ])`);
    assert.equal(readInContentScript.length, 2, JSON.stringify(readInContentScript));
    for (const got of readInContentScript) assert.ok(!got.includes(creds.apiKey), `the content script read the key: ${got}`);
    assert.equal(readInContentScript[1], 'false:', 'paste refused');
    await inContentScript(`chrome.runtime.sendMessage(${write}).catch(() => null)`);
    await popup.evaluate((m) => chrome.runtime.sendMessage(m).catch(() => null), JSON.parse(write));
    assert.equal(await clipboardText(), creds.apiKey, 'no one but the worker wrote the clipboard');
    await page.close();
    assert.deepEqual(browser.errors, []);
  });

  test("a password field's value never leaves the page", async () => {
    const { page, evaluate: inContentScript } = await contentScriptWorld(browser, `${site.console}/?layout=form#/setup/directory/api-credentials`);
    await until(async () => (await tabView(browser, 'credentials')).key === 'hidden', 'the masked key seen');
    assert.equal(await page.locator('input[type=password]').inputValue(), creds.apiKey, 'the field holds the key');
    // Everything the content script sends from now on is recorded, in its own world.
    const wrapped = await inContentScript(`(() => {
      const send = chrome.runtime.sendMessage.bind(chrome.runtime);
      globalThis.sent = [];
      chrome.runtime.sendMessage = (message, ...rest) => (sent.push(JSON.stringify(message)), send(message, ...rest));
      return chrome.runtime.sendMessage !== send;
    })()`);
    assert.equal(wrapped, true, 'sendMessage is recorded');
    await page.evaluate(() => document.body.append(Object.assign(document.createElement('p'), { textContent: 'a change to read' })));
    const sent = await until(async () => {
      const all = await inContentScript('sent');
      return all.some((m) => m.includes('a change to read')) && all;
    }, 'a snapshot after the change');
    const snapshots = sent.map((m) => JSON.parse(m)).filter((m) => m.type === 'page_snapshot');
    const field = snapshots.at(-1).snapshot.items.find((i) => i.input?.kind === 'password');
    assert.ok(field, 'the password field is reported');
    assert.equal(field.text, '', 'without its value');
    assert.deepEqual(sent.filter((m) => m.includes(creds.apiKey)), [], 'the key is in no message');
    await page.close();
  });

  test('storage.local is closed to content scripts', async () => {
    const { page, evaluate: inContentScript } = await contentScriptWorld(browser, credentialsPage());
    const got = await inContentScript('chrome.storage.local.get(null).then((v) => JSON.stringify(v))');
    assert.ok(got?.exception, `a content script read storage.local: ${String(got).slice(0, 80)}`);
    const set = await inContentScript("chrome.storage.local.set({ settings: { clipboard_clear_secs: 600 } }).then(() => 'written')");
    assert.ok(set?.exception, `a content script wrote storage.local: ${JSON.stringify(set)}`);
    await page.close();
  });

  test('hostile values in storage.local are refused on read, each with a note in the options page', async () => {
    const stored = await browser.worker.evaluate(() => chrome.storage.local.get(['settings', 'accounts']));
    const hostile = structuredClone(stored);
    hostile.settings = {
      ...stored.settings,
      local_api_base: 'https://evil.example/api',
      clipboard_clear_secs: 31_536_000,
      schedule: { rotation_days: 0, remind_before: [5000] },
    };
    Object.assign(hostile.accounts.accounts[creds.clientId], {
      label: 'x'.repeat(500),
      colour: 'red;background:url(https://evil.example/x)',
      integrations: ['a\u0000b'],
      credentials_url: 'javascript:alert(1)',
      region: flavour === 'chrome' ? 'local' : 'mars',
    });
    hostile.accounts.accounts['<img src=x onerror=alert(1)>'] = { client_id: '<img src=x onerror=alert(1)>', first_seen_ms: 1 };
    // The policy last seen stands in while Chrome's policy service starts: a forged one lasts only
    // until the real one (here: none) arrives.
    hostile.policy_seen = { forbid_key_storage: true, max_rotation_days: 1 };
    await browser.worker.evaluate((items) => chrome.storage.local.set(items), hostile);
    // A fresh worker reads storage anew, as after the browser stopped it.
    await stopWorker(browser, popup);
    const options = await browser.context.newPage();
    await options.goto(browser.url('options.html'));
    const notes = await options.getByTestId('stored-reset').innerText();
    for (const what of ['emulator address', 'clipboard delay', 'reminder schedule', 'label', 'colour', 'integrations', 'credentials page', 'region', 'malformed']) {
      assert.ok(notes.includes(what), `a note on the ${what}: ${notes}`);
    }
    assert.ok(!notes.includes('<img'), 'the malformed id is not shown');
    // The worker uses the defaults: a copied key is cleared after 30 s, not a year; no link runs.
    const page = await browser.context.newPage();
    await readKeyIn(page);
    const seenPolicy = () => browser.worker.evaluate(async () => (await chrome.storage.local.get('policy_seen')).policy_seen);
    await until(async () => (await seenPolicy())?.forbid_key_storage === false, 'the real policy to replace the forged one');
    assert.deepEqual(await seenPolicy(), { max_rotation_days: null, forbid_key_storage: false });
    await focusHelpers(page, 'table', 'Copy API key');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await until(async () => (await pendingClears(browser)).length === 1, 'the clear scheduled');
    const [clear] = await pendingClears(browser);
    const account = (await storedAccounts(browser))[creds.clientId];
    assert.deepEqual([account.key.fingerprint, account.renewals], [stored.accounts.accounts[creds.clientId].key.fingerprint, stored.accounts.accounts[creds.clientId].renewals], 'a restarted worker is no renewal');
    assert.ok(clear.due_ms - Date.now() <= 30_000, `the default 30 s, not ${clear.due_ms - Date.now()} ms`);
    await popup.reload();
    await popup.getByTestId('accounts').waitFor();
    assert.equal(await popup.locator('a[href^="javascript:"]').count(), 0, 'no stored javascript: link');
    assert.equal(await popup.locator('img:not([src^="icons/"])').count(), 0, 'no image but Keyward\'s icon');
    await Promise.all([page.close(), options.close()]);
    // Put the local region back for the tests that follow.
    if (flavour === 'chrome-dev') await presetLocalBase(browser, emulator.base);
    assert.deepEqual(browser.errors, []);
  });

  test('the page can neither reach nor drive the helpers', async () => {
    const page = await browser.context.newPage();
    // The page defines every name Keyward's host could have, to upgrade it and take its internals.
    await page.addInitScript(() => {
      window.__internals = [];
      for (const name of ['keyward-helpers', 'keyward-helper', 'kw-helpers']) {
        customElements.define(name, class extends HTMLElement {
          constructor() {
            super();
            window.__internals.push(this.attachInternals());
          }
        });
      }
    });
    await readKeyIn(page);
    await until(() => page.locator(HELPERS).count(), 'the helpers');
    const seen = await page.evaluate((selector) => {
      const host = document.querySelector(selector);
      let internals;
      try {
        internals = host.attachInternals();
      } catch (e) {
        internals = e.name;
      }
      return {
        tag: host.localName,
        shadowRoot: host.shadowRoot,
        upgraded: window.__internals.length,
        internals: typeof internals === 'string' ? internals : 'granted',
      };
    }, HELPERS);
    assert.deepEqual(seen, { tag: 'div', shadowRoot: null, upgraded: 0, internals: 'NotSupportedError' });
    // Synthetic events from the page: clicks and keys on the host, and on the page's own buttons.
    await page.evaluate((selector) => {
      const host = document.querySelector(selector);
      host.click();
      for (const type of ['click', 'keydown', 'keyup']) {
        host.dispatchEvent(new (type === 'click' ? MouseEvent : KeyboardEvent)(type, { bubbles: true, composed: true, key: 'Enter' }));
      }
    }, HELPERS);
    // A real copy of the Client ID comes after them: a copy they caused would have come first, and
    // left a pending clear behind.
    await focusHelpers(page, 'table', 'Copy Client ID');
    const before = await pendingClears(browser);
    await setClipboard('sentinel');
    await page.keyboard.press('Enter');
    await until(async () => (await clipboardText()) === creds.clientId, 'the Client ID copied');
    assert.deepEqual(await pendingClears(browser), before, 'no secret was copied by the page');
    await page.close();
    assert.deepEqual(browser.errors, []);
  });

  test("a key the page's own script swaps in is a claim: no renewal and the key age kept until the API accepts it", async () => {
    const page = await browser.context.newPage();
    await readKeyIn(page);
    const known = (await storedAccounts(browser))[creds.clientId];
    const kept = (await sessionKeys())[creds.clientId];
    // A script in the page's world writes another well-formed key where the key is shown: no
    // Edit, Renew or Save, and a key the Directory API does not know.
    const forged = 'Zz9' + creds.apiKey.slice(3).split('').reverse().join('');
    await page.evaluate((key) => {
      const shown = document.getElementById('api-key-value');
      if (shown.tagName === 'INPUT') shown.value = key;
      else shown.textContent = key;
      document.body.append(document.createComment('changed'));
    }, forged);
    await until(async () => (await tabView(browser, 'credentials')).summary.includes('The page shows a different key'), 'the forged key seen as a claim');
    // Once the API has answered (or could not be asked), still no renewal and the same key.
    await until(async () => !(await tabView(browser, 'credentials')).summary.includes('is asking the Directory API'), 'the question answered');
    const after = (await storedAccounts(browser))[creds.clientId];
    assert.deepEqual([after.key, after.renewals], [known.key, known.renewals], 'no renewal, the key age kept');
    assert.equal((await sessionKeys())[creds.clientId], kept, 'the key in force kept');
    await page.close();
    assert.deepEqual(browser.errors, []);
  });

  test("a Client ID the page's own script makes up is no account of the admin's: unconfirmed, never reminded of, until kept", async () => {
    const page = await browser.context.newPage();
    await readKeyIn(page);
    const before = await storedAccounts(browser);
    // Another well-formed Client ID and key, written into the page by its own script.
    const madeUp = '0b1e2d3c-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
    const forged = 'Qq7' + creds.apiKey.slice(3).split('').reverse().join('');
    await page.evaluate(([id, key]) => {
      for (const [field, value] of [['client-id-value', id], ['api-key-value', key]]) {
        const shown = document.getElementById(field);
        if (shown.tagName === 'INPUT') shown.value = value;
        else shown.textContent = value;
      }
      document.body.append(document.createComment('changed'));
    }, [madeUp, forged]);
    await until(async () => (await tabView(browser, 'credentials')).client_id === madeUp, 'the made-up Client ID read');
    // Every region refuses its key: it stays a page's word.
    const listed = async () => (await tabView(browser, 'credentials')).accounts.find((a) => a.client_id === madeUp);
    await until(async () => (await listed())?.region_status === 'unknown', 'every region asked');
    const stored = (await storedAccounts(browser))[madeUp];
    assert.equal(stored.unconfirmed, true, JSON.stringify(stored));
    assert.equal((await listed()).reminding, false);
    assert.deepEqual((await storedAccounts(browser))[creds.clientId], before[creds.clientId], "the admin's account untouched");
    // The popup says so, and the admin may keep it.
    const popupPage = await browser.context.newPage();
    await popupPage.goto(browser.url('popup.html'));
    const keep = popupPage.getByRole('button', { name: `Keep account ${madeUp}` });
    await keep.click();
    await until(async () => (await storedAccounts(browser))[madeUp]?.unconfirmed === undefined, 'kept');
    await until(async () => (await keep.count()) === 0, 'the offer to keep gone');
    await popupPage.close();
    await popup.evaluate((client_id) => chrome.runtime.sendMessage({ type: 'forget_account', client_id }), madeUp);
    await page.close();
    assert.deepEqual(browser.errors, []);
  });

  test("the page cannot restyle the helpers' host, and a copy counts only while the helpers are seen", async () => {
    const page = await browser.context.newPage();
    await readKeyIn(page);
    await focusHelpers(page, 'table', 'Copy Client ID');
    // The page's own rules and inline styles, important or not, do not reach the host's look.
    const look = await page.evaluate((selector) => {
      const style = document.createElement('style');
      style.textContent = `${selector} { opacity: 0 !important; visibility: hidden !important; display: none !important; transform: scale(0) !important; }`;
      document.head.append(style);
      const host = document.querySelector(selector);
      host.style.setProperty('opacity', '0.01', 'important');
      const seen = getComputedStyle(host);
      return [seen.display, seen.visibility, seen.opacity, seen.transform];
    }, HELPERS);
    assert.deepEqual(look, ['block', 'visible', '1', 'none']);
    // What the helpers say, from the accessibility tree (it sees into their closed shadow root).
    const said = async () => {
      const cdp = await page.context().newCDPSession(page);
      const { nodes } = await cdp.send('Accessibility.getFullAXTree');
      await cdp.detach();
      return nodes.filter((n) => n.role?.value === 'StaticText').map((n) => n.name?.value ?? '').join(' ');
    };
    const refused = 'Keyward did not copy: something on the page hides or covers its helpers.';
    const copyClientId = async () => {
      await setClipboard('sentinel');
      await page.keyboard.press('Enter');
      await until(async () => (await said()).includes(refused), 'the copy refused, and the admin told why');
      assert.equal(await clipboardText(), 'sentinel', 'nothing copied');
    };
    // Covered by the page's bait: the admin's Enter copies nothing.
    await page.evaluate(() => {
      const bait = document.createElement('div');
      bait.id = 'bait';
      bait.textContent = 'Click here to continue';
      bait.style.cssText = 'position: fixed; inset: 0; z-index: 2147483647; background: #fff;';
      document.body.append(bait);
    });
    await copyClientId();
    // Faded through an ancestor: nothing either (the status is cleared first, so it is said again).
    await page.evaluate((selector) => {
      document.getElementById('bait').remove();
      document.querySelector(selector).parentElement.style.opacity = '0.05';
    }, HELPERS);
    await page.reload();
    await page.click('#reveal-key');
    await focusHelpers(page, 'table', 'Copy Client ID');
    await page.evaluate((selector) => (document.querySelector(selector).parentElement.style.opacity = '0.05'), HELPERS);
    await copyClientId();
    // Seen again: the copy happens (and only now: the refused ones left the sentinel).
    await page.evaluate((selector) => (document.querySelector(selector).parentElement.style.opacity = ''), HELPERS);
    await page.keyboard.press('Enter');
    await until(async () => (await clipboardText()) === creds.clientId, 'the Client ID copied once the helpers are seen');
    await page.close();
    assert.deepEqual(browser.errors, []);
  });

  test('an untrusted Save is no Save: the renewed key is not taken from a synthetic click', async () => {
    const page = await browser.context.newPage();
    await readKeyIn(page);
    const kept = (await sessionKeys())[creds.clientId];
    const renewals = (await storedAccounts(browser))[creds.clientId].renewals.length;
    await page.click('#edit');
    await page.click('#renew');
    await page.locator('#new-api-key-value').waitFor();
    const pending = (await admin(emulator.base, 'GET', 'state')).pending_key;
    await until(async () => (await tabView(browser, 'credentials')).summary.includes('A renewed key is shown'), 'the renewal seen');
    // The page clicks Save itself (a script, not the admin): the console saves, Keyward does not.
    await page.evaluate(() => document.getElementById('save').click());
    await until(async () => (await tabView(browser, 'credentials')).key === 'hidden', 'the saved page read');
    assert.equal((await sessionKeys())[creds.clientId], kept, 'the renewed key was not taken');
    assert.notEqual(kept, pending);
    assert.equal((await storedAccounts(browser))[creds.clientId].renewals.length, renewals, 'no renewal recorded');
    await page.close();
    assert.deepEqual(browser.errors, []);
  });
});
