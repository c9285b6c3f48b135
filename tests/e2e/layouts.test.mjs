// Keyward on credentials pages it has never seen: a random sample of the generated layouts
// (tests/emulator/src/layouts.rs; at least 30 pages, seed printed, any seed reproduced with
// LAYOUT_SEED=<seed>) loaded in Chromium with the built extension, each judged on what the worker
// then knows: the right Client ID and key, or hidden / not recognised — never a wrong value, and
// nothing read from a decoy. The native corpus (reader_corpus.rs) runs thousands of the same pages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, contentScriptWorld, launch, presetLocalBase, startEmulator, until } from './harness.mjs';

const SAMPLE = Number(process.env.LAYOUT_SAMPLE ?? 32);
const SEED = Number(process.env.LAYOUT_SEED ?? Math.floor(Math.random() * 2 ** 31));
let browser;
let emulator;

before(async () => {
  console.log(`layouts: seed ${SEED} (reproduce with LAYOUT_SEED=${SEED}), ${SAMPLE} pages`);
  emulator = await startEmulator(['--users', '3']);
  browser = await launch('chrome-dev');
  await presetLocalBase(browser, emulator.base);
});
after(async () => {
  await browser?.close();
  await emulator?.stop();
});

/** What the worker knows about the tab showing `url`. */
async function viewOf(url) {
  // By equality: tabs.query's `url` is a match pattern, which a URL with a query and a hash is not.
  const id = await browser.worker.evaluate(async (u) => (await chrome.tabs.query({})).find((t) => t.url === u)?.id, url);
  assert.ok(id !== undefined, `a tab showing ${url}`);
  const page = await browser.context.newPage();
  await page.goto(browser.url('popup.html'));
  const view = await page.evaluate((tab_id) => chrome.runtime.sendMessage({ type: 'tab_state', tab_id }), id);
  await page.close();
  return view;
}

const keptKeys = () => browser.worker.evaluate(async () => (await chrome.storage.session.get('keys')).keys ?? {});

/**
 * Waits until the worker has judged the page as it is now: a marker is added to the page, and
 * the content script's next full snapshot (which holds it) has been answered.
 */
async function settled(page, evaluate) {
  const nonce = `kw-settled-${Math.random().toString(36).slice(2)}`;
  await page.evaluate((text) => {
    const marker = document.createElement('p');
    marker.hidden = true;
    marker.textContent = text;
    document.body.append(marker);
  }, nonce);
  await until(
    () => evaluate(`kwAnswered.some((s) => !s.glance && s.text.includes(${JSON.stringify(nonce)}))`),
    'the worker to judge the page as it is',
  );
}

/** Judges what the worker knows against the truth: `wrong` names a wrong value. */
async function judge(spec, view, masked) {
  if (spec.decoy) return view.kind === 'credentials' || view.client_id ? { wrong: `a decoy read: ${JSON.stringify(view)}` } : { outcome: 'refused' };
  if (view.client_id && view.client_id !== spec.client_id) return { wrong: `Client ID ${view.client_id}` };
  if (view.key === 'shown') {
    if (masked) return { wrong: 'a masked key read' };
    const kept = (await keptKeys())[spec.client_id];
    if (kept !== spec.api_key) return { wrong: `key ${kept === undefined ? 'not kept' : spec.examples.includes(kept) ? 'an example' : 'another'}` };
    return { outcome: view.client_id ? 'read' : 'not recognised' };
  }
  if (masked && view.key === 'hidden' && view.client_id) return { outcome: 'hidden' };
  return { outcome: 'not recognised' };
}

test(`a sample of generated credentials pages: zero wrong values`, async () => {
  const counts = {};
  const wrong = [];
  for (let index = 0; index < SAMPLE; index++) {
    const spec = await admin(emulator.base, 'GET', `layout?seed=${SEED}&index=${index}`);
    const late = spec.delivery === 'late';
    const url = `${emulator.base}/layout.html?seed=${SEED}&index=${index}#${late ? '/dashboard' : '/setup/directory/api-credentials'}`;
    const { page, evaluate } = await contentScriptWorld(browser, url);
    // Every snapshot the content script sends, once the worker has answered it.
    await evaluate(`(() => {
      globalThis.kwAnswered = [];
      const send = chrome.runtime.sendMessage.bind(chrome.runtime);
      chrome.runtime.sendMessage = async (message) => {
        const answer = await send(message);
        if (message.type === 'page_snapshot') kwAnswered.push({ glance: message.snapshot.glance, text: message.snapshot.text });
        return answer;
      };
    })()`);
    if (late) await page.click('#layout-nav');
    const phases = spec.delivery === 'masked_then_revealed' ? [true, false] : [false];
    for (const masked of phases) {
      if (!masked && spec.delivery === 'masked_then_revealed') await page.click('#layout-reveal');
      await page.waitForFunction((state) => document.documentElement.dataset.layoutRendered === state, masked ? 'masked' : 'done', { timeout: 15_000 });
      await settled(page, evaluate);
      const view = await viewOf(page.url());
      const { outcome, wrong: why } = await judge(spec, view, masked);
      const what = `#${index} ${spec.template} ${spec.delivery}${masked ? ' (masked)' : ''} ${spec.variations.join(',')}`;
      if (why) wrong.push(`${what}: ${why}`);
      else counts[outcome] = (counts[outcome] ?? 0) + 1;
    }
    await page.close();
  }
  console.log(`layouts: seed ${SEED}: ${JSON.stringify(counts)}, wrong ${wrong.length}`);
  assert.deepEqual(wrong, [], `seed ${SEED}`);
  // A reader that never reads would pass the line above: most pages are read.
  const readable = (counts.read ?? 0) + (counts.hidden ?? 0) + (counts['not recognised'] ?? 0);
  assert.ok((counts.read ?? 0) + (counts.hidden ?? 0) >= readable * 0.9, `seed ${SEED}: ${JSON.stringify(counts)}`);
  assert.deepEqual(browser.errors, []);
});

test('credentials that arrive 9.5 s after an in-app navigation are read', async () => {
  let index = 0;
  let spec;
  for (; ; index++) {
    spec = await admin(emulator.base, 'GET', `layout?seed=${SEED}&index=${index}`);
    if (spec.delivery === 'late' && !spec.decoy) break;
  }
  const url = `${emulator.base}/layout.html?seed=${SEED}&index=${index}&delay=9500#/dashboard`;
  const page = await browser.context.newPage();
  await page.goto(url);
  await page.click('#layout-nav');
  await page.waitForFunction(() => document.documentElement.dataset.layoutRendered === 'done', null, { timeout: 20_000 });
  const view = await until(async () => {
    const v = await viewOf(page.url());
    return v.client_id && v;
  }, 'the late credentials read');
  assert.equal(view.client_id, spec.client_id);
  await page.close();
  assert.deepEqual(browser.errors, []);
});
