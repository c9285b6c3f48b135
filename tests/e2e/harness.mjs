// Shared e2e harness: builds nothing (the Makefile does), launches Debian's Chromium with one of
// the built extension flavours, starts the emulator, and records every console error so a test
// can fail on them.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Keyward's helpers' host in a console page (a <div>: see content.js). */
export const HELPERS = '[data-keyward-helpers]';
export const SHOTS = join(ROOT, 'target', 'e2e');

/** The version Cargo.toml declares: the single source the popup and manifest must show. */
export function cargoVersion() {
  const toml = readFileSync(join(ROOT, 'Cargo.toml'), 'utf8');
  return toml.match(/^\[package\][^[]*?^version\s*=\s*"([^"]+)"/m)[1];
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Launches Chromium with `dist/<flavour>` loaded. Returns the context, the extension id, its
 * service worker, a list collecting console errors from the worker and every page, and close().
 */
export async function launch(flavour = 'chrome-dev', { headless = true, args = [] } = {}) {
  // A flavour name under dist/, or the absolute path of an unpacked extension (the bench's copy).
  const ext = flavour.startsWith('/') ? flavour : join(ROOT, 'dist', flavour);
  const profile = mkdtempSync(join(tmpdir(), 'keyward-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless,
    args: [`--disable-extensions-except=${ext}`, `--load-extension=${ext}`, ...CHROMIUM_ARGS, ...args],
  });
  const errors = [];
  // Every console message of every context, for the secrets audit.
  const consoleLog = [];
  const watch = (page) => {
    page.on('console', (msg) => {
      consoleLog.push(`${page.url()}: ${msg.text()}`);
      if (msg.type() === 'error') errors.push(`${page.url()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => errors.push(`${page.url()}: ${err.message}`));
  };
  context.on('page', watch);
  // Every worker Keyward starts (a stopped worker comes back as a new one) is watched, and
  // `worker` is always the live one.
  let worker = null;
  const watched = new Set();
  const watchWorker = (w) => {
    if (watched.has(w) || !w.url().startsWith('chrome-extension://')) return;
    watched.add(w);
    worker = w;
    w.on('console', (msg) => {
      consoleLog.push(`worker: ${msg.text()}`);
      // Region detection probes the three real Directory API hosts, which this offline machine
      // cannot resolve; those failed loads are expected, everything else is an error.
      const offlineProbe = /directory-api\.pingone\./.test(msg.location()?.url ?? '') && /ERR_NAME_NOT_RESOLVED|ERR_INTERNET_DISCONNECTED/.test(msg.text());
      if (msg.type() === 'error' && !offlineProbe) errors.push(`worker: ${msg.text()} ${msg.location()?.url ?? ''}`);
    });
  };
  context.on('serviceworker', watchWorker);
  watchWorker(context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker')));
  const extensionId = new URL(worker.url()).host;
  const inOffscreen = await watchOffscreen(context, extensionId, consoleLog, errors);
  return {
    context,
    get worker() {
      return worker;
    },
    extensionId,
    errors,
    consoleLog,
    inOffscreen,
    url: (path) => `chrome-extension://${extensionId}/${path}`,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Watches the console of every offscreen document Keyward creates. They are no Playwright pages
 * (Chromium lists them as background pages), so their console is read over CDP, through the
 * profile's first tab, which the tests leave open. Returns `evaluate(expression)`, which runs in
 * the latest offscreen document (so a test can prove its console is watched).
 */
async function watchOffscreen(context, extensionId, consoleLog, errors) {
  const tab = context.pages()[0] ?? (await context.newPage());
  const cdp = await context.newCDPSession(tab);
  let id = 0;
  let latest = null;
  const replies = new Map();
  const send = (sessionId, method, params = {}) =>
    new Promise((resolve) => {
      const call = ++id;
      replies.set(call, resolve);
      cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: call, method, params }) }).catch(() => resolve(null));
    });
  const own = (info) => info.type === 'background_page' && info.url.startsWith(`chrome-extension://${extensionId}/`);
  const attached = new Set();
  // A new document is announced before it has its URL; it is attached once it has.
  const attach = async ({ targetInfo }) => {
    if (!own(targetInfo) || attached.has(targetInfo.targetId)) return;
    attached.add(targetInfo.targetId);
    try {
      const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: targetInfo.targetId, flatten: false });
      await send(sessionId, 'Runtime.enable');
      await send(sessionId, 'Log.enable');
      latest = sessionId;
    } catch {
      // The document closed before it could be watched: it logged nothing worth reading.
    }
  };
  cdp.on('Target.targetCreated', attach);
  cdp.on('Target.targetInfoChanged', attach);
  cdp.on('Target.receivedMessageFromTarget', ({ message }) => {
    const { id: reply, result, method, params } = JSON.parse(message);
    if (replies.has(reply)) {
      replies.get(reply)(result);
      replies.delete(reply);
    } else if (method === 'Runtime.consoleAPICalled') {
      const text = params.args.map((a) => a.value ?? a.description ?? '').join(' ');
      consoleLog.push(`offscreen: ${text}`);
      if (params.type === 'error') errors.push(`offscreen: ${text}`);
    } else if (method === 'Runtime.exceptionThrown') {
      errors.push(`offscreen: ${params.exceptionDetails.exception?.description ?? params.exceptionDetails.text}`);
    } else if (method === 'Log.entryAdded') {
      consoleLog.push(`offscreen: ${params.entry.text}`);
      if (params.entry.level === 'error') errors.push(`offscreen: ${params.entry.text}`);
    }
  });
  await cdp.send('Target.setDiscoverTargets', { discover: true });
  return async (expression) => {
    if (!latest) throw new Error('no offscreen document is watched');
    const result = await send(latest, 'Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    return result?.result?.value;
  };
}

/**
 * Starts the emulator (on a free loopback port unless `--port` is given); resolves to
 * { base, secure, stop() }: `secure` is its HTTPS (HTTP/2) base when `--tls-port` is given. With
 * `echo`, its banner (URLs, sandbox credentials) is printed.
 */
export async function startEmulator(args = [], { echo = false } = {}) {
  // The tests use the debug build; the bench sets KEYWARD_EMULATOR_BIN to the release build, whose
  // sorting and paging of 20,000 users is fast enough not to be what is measured.
  const bin = process.env.KEYWARD_EMULATOR_BIN ?? join(ROOT, 'target', 'debug', 'p14e-emulator');
  const portArgs = args.includes('--port') ? [] : ['--port', '0'];
  // A suite run again against the stricter Directory API (`strict-*.test.mjs`).
  const profile = process.env.KEYWARD_EMULATOR_PROFILE === 'strict' ? ['--strict'] : [];
  const child = spawn(bin, [...portArgs, ...profile, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  // Never leave an emulator behind, even when the script that started it dies.
  process.once('exit', () => child.kill());
  const lines = createInterface({ input: child.stdout });
  const tls = args.includes('--tls-port');
  const { base, secure } = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`emulator exited early (${code})`)));
    const found = {};
    lines.on('line', (line) => {
      if (echo) console.log(line);
      found.base ??= line.match(/listening on (http:\/\/\S+?)\/?$/)?.[1];
      found.secure ??= line.match(/HTTPS \(HTTP\/2\): +(https:\/\/\S+?)\/? /)?.[1];
      if (found.base && (found.secure || !tls)) resolve(found);
    });
  });
  return {
    base,
    secure,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', resolve);
        child.kill('SIGINT');
      }),
  };
}

/** Points the dev build's "Local emulator" region at `base` (what its options page would store). */
export async function presetLocalBase(browser, base) {
  await storeSettings(browser, { schema: 1, local_api_base: `${base}/api` });
}

/**
 * Writes `patch` into the stored settings (Chrome keeps them in storage.local) and announces the
 * write on Keyward's records channel, as its options page does: the worker adopts them at once,
 * whether or not it has loaded its state yet.
 */
export async function storeSettings(browser, patch) {
  await browser.worker.evaluate(async (patch) => {
    const { settings } = await chrome.storage.local.get('settings');
    await chrome.storage.local.set({ settings: { ...settings, ...patch } });
    const channel = new BroadcastChannel('keyward-records');
    channel.postMessage('settings');
    channel.close();
  }, patch);
}

export function screenshotPath(name) {
  mkdirSync(SHOTS, { recursive: true });
  return join(SHOTS, `${name}.png`);
}

/** Polls `check` until it returns a truthy value (an awaited condition, not a fixed sleep). */
export async function until(check, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What the clipboard holds, read from `page` (which needs clipboard-read permission). */
export const clipboard = (page) => page.evaluate(() => navigator.clipboard.readText());

/**
 * Stops every service worker (CDP), as the browser does after idling, and resolves once it has
 * stopped; the next event or message starts a fresh one. `page` is any open page of the profile.
 */
export async function stopWorker(browser, page) {
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  const stopped = new Promise((resolve) =>
    cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
      if (versions.some((v) => v.runningStatus === 'stopped')) resolve();
    }),
  );
  await cdp.send('ServiceWorker.stopAllWorkers');
  await stopped;
  await cdp.detach();
}

/** The worker's pending clipboard clears, oldest first: [{ token, fingerprint, due_ms }]. */
export const pendingClears = (browser) =>
  browser.worker.evaluate(async () => (await chrome.storage.session.get('clipboard_pending')).clipboard_pending ?? []);

/**
 * Makes pending clears of copied secrets due now, without firing them: the worker's clock jumped
 * forward for those timers, so a test need not wait out (or race) the real timeout. `which` is
 * 'all' or an index into the pending list (oldest first; -1 the newest). Returns their tokens.
 */
async function makeClearsDue(browser, which = 'all') {
  return browser.worker.evaluate(async (which) => {
    const pending = (await chrome.storage.session.get('clipboard_pending')).clipboard_pending ?? [];
    const chosen = which === 'all' ? pending : [pending.at(which)].filter(Boolean);
    if (!chosen.length) throw new Error(`no clipboard clear is pending (${which}): ${JSON.stringify(pending)}`);
    const tokens = chosen.map((p) => p.token);
    const due = pending.map((p) => (tokens.includes(p.token) ? { ...p, due_ms: Date.now() } : p));
    await chrome.storage.session.set({ clipboard_pending: due });
    return tokens;
  }, which);
}

/** Fires the alarms of the clears with these tokens; resolves once the worker has dealt with each. */
async function fireClears(browser, tokens) {
  await browser.worker.evaluate(async (tokens) => {
    for (const token of tokens) await chrome.alarms.create(`keyward-clipboard-clear:${token}`, { when: Date.now() });
  }, tokens);
  await until(
    async () => !(await pendingClears(browser)).some((p) => tokens.includes(p.token)),
    'the pending clipboard clears dealt with',
  );
}

/** Makes pending clears due now (see `makeClearsDue`) and fires them. */
export async function clipboardClearDueNow(browser, which = 'all') {
  await fireClears(browser, await makeClearsDue(browser, which));
}

/** The accounts the worker has stored (never keys). */
export const storedAccounts = (browser) =>
  browser.worker.evaluate(async () => (await chrome.storage.local.get('accounts')).accounts?.accounts ?? {});

/**
 * The worker's view of the open tab showing `kind` (asked from an extension page, as the popup
 * does; tab ids need no permission).
 */
export async function tabView(browser, kind) {
  return until(async () => {
    const ids = await browser.worker.evaluate(async () => (await chrome.tabs.query({})).map((t) => t.id));
    const page = await browser.context.newPage();
    await page.goto(browser.url('popup.html'));
    const views = await page.evaluate(
      (tabIds) => Promise.all(tabIds.map((tab_id) => chrome.runtime.sendMessage({ type: 'tab_state', tab_id }))),
      ids,
    );
    await page.close();
    return views.find((v) => v.kind === kind);
  }, `a tab showing ${kind}`);
}

/** Waits for the popup's lookup screen, with the focus in its search box as a person would find it. */
export async function popupReady(page) {
  await page.getByTestId('lookup').waitFor();
  await until(() => page.evaluate(() => document.activeElement?.id === 'lookup-text'), 'focus in the search box');
}

/**
 * The labels of the buttons on `page`, from the browser's accessibility tree: it sees into the
 * closed shadow root that holds Keyward's helpers, which the page's own DOM cannot.
 */
export async function buttonLabels(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    return nodes.filter((n) => n.role?.value === 'button').map((n) => n.name?.value ?? '');
  } finally {
    await cdp.detach();
  }
}

/**
 * Focuses the first copy helper once the helpers offer `wanted` (the worker knowing the key is
 * not enough: the content script must have drawn its plan). Helpers follow the key field, so Tab
 * from the control before them.
 */
/**
 * Presses one of Keyward's in-page buttons (named `name`) as the admin would from the keyboard:
 * focused through the accessibility tree (it reaches into the closed shadow root), then Enter.
 */
export async function pressHelper(page, name) {
  await focusHelper(page, name);
  await page.keyboard.press('Enter');
}

/** Moves keyboard focus to one of Keyward's in-page buttons, through the accessibility tree. */
export async function focusHelper(page, name) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const node = await until(async () => {
      const { nodes } = await cdp.send('Accessibility.getFullAXTree');
      return nodes.find((n) => n.role?.value === 'button' && n.name?.value === name && n.backendDOMNodeId);
    }, `the "${name}" button`);
    await cdp.send('DOM.focus', { backendNodeId: node.backendDOMNodeId });
  } finally {
    await cdp.detach();
  }
}

/** All the text the accessibility tree shows on `page` (Keyward's closed shadow roots included). */
export async function pageText(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    return nodes.map((n) => n.name?.value ?? '').join('\n');
  } finally {
    await cdp.detach();
  }
}

export async function focusHelpers(page, layout, wanted = 'Copy Client ID') {
  await until(async () => (await buttonLabels(page)).includes(wanted), `the "${wanted}" helper`);
  await page.focus(layout === 'form' ? '#apiKey' : '#reveal-key');
  await page.keyboard.press('Tab');
}

/**
 * Opens the sandbox credentials page (signed in to the emulator's `account`, default the first)
 * and reveals the key, as an admin would, until the worker has read it and found the account's
 * region. Returns the page.
 */
export async function readSandboxKey(browser, base, clientId, region = 'local', account = 0) {
  const page = await browser.context.newPage();
  await page.goto(`${base}/${account ? `?account=${account}` : ''}#/setup/directory/api-credentials`);
  await page.click('#reveal-key');
  await until(async () => (await storedAccounts(browser))[clientId]?.region === region, 'the key read and the region found');
  return page;
}

/** The real console and Directory API origins (NA), which the store build knows. */
export const REAL_CONSOLE = 'https://admin.pingone.com';
export const REAL_API = 'https://directory-api.pingone.com';

/**
 * Starts the emulator and launches `flavour` with it as the console and the Directory API: a dev
 * build on loopback (its local region preset), the store build on the real hostnames through
 * Playwright's request routing (the console replica under /web-portal/, the emulator answering for
 * the NA API host). Resolves to { emulator, browser, console, region }: `console` is the console's
 * base (`${console}/#/setup/…`, `${console}/?layout=form#/…`), `region` the one Keyward will find.
 */
export async function launchSite(flavour, args = []) {
  const store = !flavour.endsWith('-dev');
  const emulator = await startEmulator(store ? [...args, '--public-base', `${REAL_API}/api`] : args);
  const browser = await launch(flavour);
  if (!store) {
    await presetLocalBase(browser, emulator.base);
    return { emulator, browser, console: emulator.base, region: 'local' };
  }
  await browser.context.route(`${REAL_CONSOLE}/**`, async (route) => {
    const url = new URL(route.request().url());
    const path = url.pathname.replace(/^\/web-portal\//, '/');
    await route.fulfill({ response: await route.fetch({ url: `${emulator.base}${path}${url.search}` }) });
  });
  await browser.context.route(`${REAL_API}/**`, async (route) => {
    const url = new URL(route.request().url());
    await route.fulfill({ response: await route.fetch({ url: `${emulator.base}${url.pathname}${url.search}` }) });
  });
  return { emulator, browser, console: `${REAL_CONSOLE}/web-portal`, region: 'na' };
}

/**
 * One call to the emulator's admin API (`/_emulator/<path>`). Throws, naming what was asked and
 * what came back, unless it answers 2xx: a failed setup step must fail the test where it happened,
 * not later as a misleading symptom. Resolves to the answer's JSON (`null` when it has no body).
 */
export async function admin(base, method, path, body) {
  const asked = `${method} ${base}/_emulator/${path}${body === undefined ? '' : ` ${JSON.stringify(body)}`}`;
  let res;
  try {
    res = await fetch(`${base}/_emulator/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new Error(`emulator admin call failed: ${asked}: ${e.cause?.message ?? e.message}`);
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`emulator admin call failed: ${asked}: ${res.status} ${text}`);
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`emulator admin call answered something that is not JSON: ${asked}: ${text.slice(0, 200)}`);
  }
}

/**
 * Opens `url` in a new page and returns { page, evaluate }, where `evaluate(expression)` runs in
 * Keyward's content-script world on that page (found through CDP), resolving promises and
 * returning by value; an exception comes back as { exception }.
 */
export async function contentScriptWorld(browser, url) {
  const page = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(page);
  const contexts = [];
  cdp.on('Runtime.executionContextCreated', ({ context }) => contexts.push(context));
  await cdp.send('Runtime.enable');
  await page.goto(url);
  const isolated = await until(
    () => contexts.findLast((c) => c.auxData?.type === 'isolated' && c.name.startsWith('Keyward')),
    "the content script's world",
  ).catch((e) => {
    throw new Error(`${e.message}: ${JSON.stringify(contexts)}`);
  });
  const evaluate = async (expression) => {
    const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', {
      expression,
      contextId: isolated.id,
      awaitPromise: true,
      returnByValue: true,
    });
    return exceptionDetails ? { exception: exceptionDetails.exception?.description ?? exceptionDetails.text } : result.value;
  };
  return { page, evaluate };
}

/** The emulator's sandbox credentials. */
export async function sandboxCredentials(base, account = 0) {
  const state = await admin(base, 'GET', `state?account=${account}`);
  return { clientId: state.client_id, apiKey: state.api_key };
}

/** Changes the emulator's configuration at run time (rate, burst, faults, storms…). */
export const configure = (base, patch) => admin(base, 'PATCH', 'config', patch);

/** The emulator's request log (the `limit` most recent entries), and starting it afresh. */
export const emulatorLog = (base, limit = 100) => admin(base, 'GET', `log?limit=${limit}`);
export const resetLog = (base) => admin(base, 'POST', 'log/reset');

/**
 * Closes the emulator's gate: API requests whose path and query contain `path_contains` (and of
 * `method`, if given) are parked after the first `pass` of them, until `openGate`. This holds an
 * export or a lookup mid-way whatever the machine's speed.
 */
export const closeGate = (base, rule) => admin(base, 'POST', 'gate', rule);
export const openGate = (base) => admin(base, 'POST', 'gate/open');
/** Waits until at least `n` requests are parked at the gate. */
export const untilParked = (base, n = 1) =>
  until(async () => (await admin(base, 'GET', 'gate')).parked >= n, `${n} request(s) parked at the emulator's gate`, 60_000);

/** The next `count` matching API requests answer `status` (see the emulator's README section). */
export const failNext = (base, rule) => admin(base, 'POST', 'fail', rule);

/**
 * Clicks the button named `label` on `page` (within the locator `within`, if given) and returns
 * the file it downloads as { name, text }; throws if no file comes.
 */
export async function download(page, label, within = page) {
  const [file] = await Promise.all([page.waitForEvent('download'), within.getByRole('button', { name: label }).click()]);
  const path = await file.path();
  if (!path) throw new Error(`"${label}" offered ${file.suggestedFilename()}, but the download failed: ${await file.failure()}`);
  return { name: file.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

/**
 * Makes a user (`userName` is its email too) in the emulator's directory through the Directory API,
 * as another integration would; throws if refused.
 */
export async function createUser(base, creds, userName, givenName, familyName) {
  const made = await fetch(`${base}/api/directory/user`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${creds.clientId}:${creds.apiKey}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      schemas: ['urn:scim:schemas:core:1.0'],
      userName,
      name: { givenName, familyName },
      emails: [{ value: userName, type: 'work' }],
    }),
  });
  if (!made.ok) throw new Error(`${userName} not created: ${made.status}`);
}

/** A Directory API GET with the sandbox credentials, as a script outside Keyward would make it. */
export const directoryGet = (base, creds, path) =>
  fetch(`${base}/api${path}`, {
    headers: { authorization: `Basic ${Buffer.from(`${creds.clientId}:${creds.apiKey}`).toString('base64')}` },
  });

/**
 * A fresh emulator started with `args`, the dev build in Chromium pointed at it, and the sandbox
 * key read from its credentials page as an admin would: { emulator, browser, creds }.
 */
export async function launchWithSandboxKey(args) {
  const emulator = await startEmulator(args);
  const browser = await launch('chrome-dev');
  try {
    await presetLocalBase(browser, emulator.base);
    const creds = await sandboxCredentials(emulator.base);
    await (await readSandboxKey(browser, emulator.base, creds.clientId)).close();
    return { emulator, browser, creds };
  } catch (failed) {
    // The suite's `after` never sees them: left open, they would keep its process alive.
    await browser.close();
    await emulator.stop();
    throw failed;
  }
}

/** RFC 4180 rows, as a spreadsheet reads them (a leading byte-order mark is not data). */
export function csvRows(text) {
  text = text.replace(/^\u{feff}/u, '');
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    else cell += c;
  }
  if (cell || row.length) row.push(cell), rows.push(row);
  return rows;
}
