// The corpus runner: pages go through the built extension (dist/chrome-dev) in headless Chromium,
// many pages per browser in a few tabs at once, and each is judged on what the worker then knows:
// the right Client ID and key, or the key hidden, or nothing recognised — never a wrong value, and
// nothing read from a decoy. The shipped content scripts read every page unchanged.
//
// A source is a list of pages; a page is { id, describe, url, phases }, each phase
// { ready(page), truth, fill }: `ready` resolves once the page shows what `truth` describes.
// Judging waits until the worker has answered a read of the page as it is then: a hidden marker is
// added to the page and the content script's next answered snapshot must hold it. A page whose
// inputs are filled by property (`fill`) gets no marker (no mutation may help the reader): the
// read judged must have been sent after the fill, or none comes and the page is a miss.
import { launch, presetLocalBase, until } from '../e2e/harness.mjs';

/** How long a page filled by property may take to be read again (Keyward re-reads on its own). */
const FILL_WAIT_MS = 8_000;

/** What the worker knows of tab `tabId`, asked from an extension page as the popup does. */
const tabView = (ext, tabId) => ext.evaluate((tab_id) => chrome.runtime.sendMessage({ type: 'tab_state', tab_id }), tabId);

const keptKeys = (browser) => browser.worker.evaluate(async () => (await chrome.storage.session.get('keys')).keys ?? {});

/** Judges what the worker knows against the truth: { outcome } or { wrong }. */
export async function judge(browser, truth, view) {
  if (truth.decoy) return view.kind === 'credentials' || view.client_id ? { wrong: `a decoy read: ${view.kind} ${view.client_id ?? ''}` } : { outcome: 'refused' };
  if (view.client_id && view.client_id !== truth.client_id) return { wrong: `Client ID ${view.client_id}` };
  if (view.key === 'shown') {
    if (truth.masked) return { wrong: 'a masked key read' };
    const kept = (await keptKeys(browser))[truth.client_id];
    if (kept !== truth.api_key) return { wrong: `key ${kept === undefined ? 'not kept' : (truth.others ?? []).includes(kept) ? 'an example or another' : 'another'}` };
    return { outcome: view.client_id ? 'read' : 'not recognised' };
  }
  if (truth.masked && view.key === 'hidden' && view.client_id) return { outcome: 'hidden' };
  return { outcome: 'not recognised', view: { kind: view.kind, client_id: view.client_id, key: view.key, summary: view.summary } };
}

/** Whether an outcome is the right one for a readable page. */
export const success = (outcome) => outcome === 'read' || outcome === 'hidden';

/**
 * A tab that visits pages one after another, with a handle on Keyward's content-script world in
 * the document it shows.
 */
async function lane(browser) {
  const page = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(page);
  const contexts = [];
  cdp.on('Runtime.executionContextCreated', ({ context }) => contexts.push(context));
  cdp.on('Runtime.executionContextsCleared', () => (contexts.length = 0));
  cdp.on('Runtime.executionContextDestroyed', ({ executionContextId }) => {
    const at = contexts.findIndex((c) => c.id === executionContextId);
    if (at >= 0) contexts.splice(at, 1);
  });
  await cdp.send('Runtime.enable');
  // The tab's id, as the worker knows it, found by the address of the first page it shows (the
  // worker sees the addresses of console pages only).
  let id = null;
  const tabId = async () =>
    (id ??= await until(() => browser.worker.evaluate(async (u) => (await chrome.tabs.query({})).find((t) => t.url === u)?.id, page.url()), 'the lane tab'));
  /** Runs `expression` in Keyward's content-script world of the document shown now. */
  const world = async (expression) => {
    // Keyward's world in the top frame (content scripts run there only).
    const { frameTree } = await cdp.send('Page.getFrameTree');
    const isolated = await until(
      () => contexts.findLast((c) => c.auxData?.type === 'isolated' && c.auxData?.frameId === frameTree.frame.id && c.name.startsWith('Keyward')),
      "the content script's world",
    );
    const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', { expression, contextId: isolated.id, awaitPromise: true, returnByValue: true });
    if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
    return result.value;
  };
  return { page, tabId, world };
}

// Records, in the content script's world, every snapshot the worker has answered: when it was
// sent (the page's clock), whether it was a glance, its text, and whether the worker asked for fields.
const RECORD = `(() => {
  if (globalThis.kwAnswered) return;
  globalThis.kwAnswered = [];
  const send = chrome.runtime.sendMessage.bind(chrome.runtime);
  chrome.runtime.sendMessage = async (message) => {
    const at = performance.now();
    const answer = await send(message);
    if (message.type === 'page_snapshot') kwAnswered.push({ at, glance: message.snapshot.glance, text: message.snapshot.text, fields: answer?.fields === true });
    if (message.type === 'page_snapshot' && !message.snapshot.glance) globalThis.kwLastRead = message.snapshot;
    return answer;
  };
})()`;

/** A snapshot answered that judged the page (a full read, or a glance the worker settled for). */
const FINAL = `(s) => !s.glance || !s.fields`;

/** Waits until the worker has judged the page as it is now (see the file's comment). */
async function settled(lane, fill) {
  await lane.world(RECORD);
  if (fill) {
    const filledAt = Number(await lane.page.evaluate(() => document.documentElement.dataset.corpusFilledAt));
    const deadline = Date.now() + FILL_WAIT_MS;
    while (Date.now() < deadline) {
      if (await lane.world(`kwAnswered.some((s) => (${FINAL})(s) && s.at > ${filledAt})`)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    return;
  }
  const marker = `kw-settled-${Math.random().toString(36).slice(2)}`;
  await lane.page.evaluate((text) => {
    const p = document.createElement('p');
    p.hidden = true;
    p.textContent = text;
    document.body.append(p);
  }, marker);
  await until(() => lane.world(`kwAnswered.some((s) => (${FINAL})(s) && s.text.includes(${JSON.stringify(marker)}))`), 'the worker to judge the page as it is', 20_000);
}

/**
 * Runs `pages` (an array) through the extension, `lanes` tabs at once, a fresh browser every
 * `perBrowser` pages (accounts pile up in a profile: one per page). Calls `onResult(page, phase,
 * result)` for each phase judged. `setup(browser)` runs in each new browser (a region's base).
 * With `dump`, each result carries the content script's last full read (`snapshot`).
 */
export async function runPages(pages, { lanes = 3, perBrowser = 120, setup = async () => {}, onResult, dump = false }) {
  for (let start = 0; start < pages.length; start += perBrowser) {
    const batch = pages.slice(start, start + perBrowser);
    const browser = await launch('chrome-dev');
    try {
      await setup(browser);
      const ext = await browser.context.newPage();
      await ext.goto(browser.url('popup.html'));
      let next = 0;
      const work = async () => {
        const l = await lane(browser);
        while (next < batch.length) {
          const entry = batch[next++];
          await l.page.goto(entry.url);
          for (const phase of entry.phases) {
            let result;
            try {
              await phase.ready(l.page);
              await settled(l, phase.fill);
              result = await judge(browser, phase.truth, await tabView(ext, await l.tabId()));
              if (dump) result.snapshot = await l.world('globalThis.kwLastRead ?? null');
            } catch (e) {
              result = { error: e.message.split('\n')[0] };
            }
            onResult(entry, phase, result);
          }
        }
        await l.page.close();
      };
      await Promise.all(Array.from({ length: Math.min(lanes, batch.length) }, work));
      const errors = browser.errors.filter((e) => !/Failed to load resource|ERR_NAME_NOT_RESOLVED/.test(e));
      if (errors.length) onResult(null, null, { error: `browser errors: ${errors.slice(0, 3).join(' | ')}` });
    } finally {
      await browser.close();
    }
  }
}

export { presetLocalBase };
