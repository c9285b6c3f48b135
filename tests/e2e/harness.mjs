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
export async function launch(flavour = 'chrome-dev', { headless = true } = {}) {
  // A flavour name under dist/, or the absolute path of an unpacked extension (the bench's copy).
  const ext = flavour.startsWith('/') ? flavour : join(ROOT, 'dist', flavour);
  const profile = mkdtempSync(join(tmpdir(), 'keyward-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless,
    args: [`--disable-extensions-except=${ext}`, `--load-extension=${ext}`, ...CHROMIUM_ARGS],
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
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  worker.on('console', (msg) => {
    consoleLog.push(`worker: ${msg.text()}`);
    // Region detection probes the three real Directory API hosts, which this offline machine
    // cannot resolve; those failed loads are expected, everything else is an error.
    const offlineProbe = /directory-api\.pingone\./.test(msg.location()?.url ?? '') && /ERR_NAME_NOT_RESOLVED|ERR_INTERNET_DISCONNECTED/.test(msg.text());
    if (msg.type() === 'error' && !offlineProbe) errors.push(`worker: ${msg.text()} ${msg.location()?.url ?? ''}`);
  });
  const extensionId = new URL(worker.url()).host;
  return {
    context,
    worker,
    extensionId,
    errors,
    consoleLog,
    url: (path) => `chrome-extension://${extensionId}/${path}`,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Starts the emulator (on a free loopback port unless `--port` is given); resolves to
 * { base, stop() }. With `echo`, its banner (URLs, sandbox credentials) is printed.
 */
export async function startEmulator(args = [], { echo = false } = {}) {
  // The tests use the debug build; the bench sets KEYWARD_EMULATOR_BIN to the release build, whose
  // sorting and paging of 20,000 users is fast enough not to be what is measured.
  const bin = process.env.KEYWARD_EMULATOR_BIN ?? join(ROOT, 'target', 'debug', 'p14e-emulator');
  const portArgs = args.includes('--port') ? [] : ['--port', '0'];
  const child = spawn(bin, [...portArgs, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  // Never leave an emulator behind, even when the script that started it dies.
  process.once('exit', () => child.kill());
  const lines = createInterface({ input: child.stdout });
  const base = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`emulator exited early (${code})`)));
    lines.on('line', (line) => {
      if (echo) console.log(line);
      const m = line.match(/listening on (http:\/\/\S+?)\/?$/);
      if (m) resolve(m[1]);
    });
  });
  return {
    base,
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
  await browser.worker.evaluate(
    (apiBase) => chrome.storage.local.set({ settings: { schema: 1, local_api_base: apiBase } }),
    `${base}/api`,
  );
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
 * Makes the pending clear of a copied secret due now and fires its alarm: the worker's clock
 * jumped forward for that one timer, so a test need not wait out (or race) the real timeout.
 * Resolves once the worker has dealt with it (nothing pending any more).
 */
export async function clipboardClearDueNow(browser) {
  await browser.worker.evaluate(async () => {
    const { clipboard_pending: pending } = await chrome.storage.session.get('clipboard_pending');
    if (!pending) throw new Error('no clipboard clear is pending');
    await chrome.storage.session.set({ clipboard_pending: { ...pending, due_ms: Date.now() } });
    await chrome.alarms.create('keyward-clipboard-clear', { when: Date.now() });
  });
  await until(
    () => browser.worker.evaluate(async () => !(await chrome.storage.session.get('clipboard_pending')).clipboard_pending),
    'the pending clipboard clear dealt with',
  );
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
export async function focusHelpers(page, layout, wanted = 'Copy Client ID') {
  await until(async () => (await buttonLabels(page)).includes(wanted), `the "${wanted}" helper`);
  await page.focus(layout === 'form' ? '#apiKey' : '#reveal-key');
  await page.keyboard.press('Tab');
}

/**
 * Opens the sandbox credentials page and reveals the key, as an admin would, until the worker has
 * read it and found the account's region. Returns the page.
 */
export async function readSandboxKey(browser, base, clientId) {
  const page = await browser.context.newPage();
  await page.goto(`${base}/#/setup/directory/api-credentials`);
  await page.click('#reveal-key');
  await until(async () => (await storedAccounts(browser))[clientId]?.region === 'local', 'the key read and the region found');
  return page;
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
export async function sandboxCredentials(base) {
  const state = await admin(base, 'GET', 'state');
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
 * Clicks the button named `label` on `page` and returns the file it downloads as
 * { name, text }; throws if no file comes.
 */
export async function download(page, label) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: label }).click()]);
  const path = await file.path();
  if (!path) throw new Error(`"${label}" offered ${file.suggestedFilename()}, but the download failed: ${await file.failure()}`);
  return { name: file.suggestedFilename(), text: readFileSync(path, 'utf8') };
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
  await presetLocalBase(browser, emulator.base);
  const creds = await sandboxCredentials(emulator.base);
  await (await readSandboxKey(browser, emulator.base, creds.clientId)).close();
  return { emulator, browser, creds };
}
