// The reader on pages nobody here drew by hand, through the shipped content scripts: a fixed-seed
// sample of every UI kit's credentials pages (tests/corpus: Ping's Astro, MUI, antd, Bootstrap,
// Shoelace, Carbon) and of the generated layouts, each judged on what the worker then knows —
// the right Client ID and key, or hidden / not recognised, never a wrong value, nothing read from
// a decoy — and each source reading at least 95 % of its readable pages. `make corpus` runs the
// whole corpus and prints the per-kit table; CORPUS_SEED and CORPUS_SAMPLE change this sample.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, presetLocalBase, startEmulator, until } from './harness.mjs';
import { GOAL, tally } from '../corpus/corpus.mjs';
import { KITS, build } from '../corpus/kits.mjs';
import { runPages } from '../corpus/run.mjs';
import { kitPages, layoutPages, routeKitPages } from '../corpus/sources.mjs';
import { launch } from './harness.mjs';

const SEED = Number(process.env.CORPUS_SEED ?? 20261207);
const SAMPLE = Number(process.env.CORPUS_SAMPLE ?? 24);
let emulator;

before(async () => {
  await build();
  emulator = await startEmulator(['--users', '3']);
});
after(() => emulator?.stop());

test(`a fixed-seed sample of every kit and of the generated layouts: zero wrong values, ${GOAL * 100} % read`, async () => {
  const pages = [...Object.keys(KITS).flatMap((kit) => kitPages(kit, SEED, SAMPLE)), ...(await layoutPages(emulator.base, SEED, SAMPLE * 2))];
  const t = tally();
  await runPages(pages, {
    setup: async (browser) => {
      await presetLocalBase(browser, emulator.base);
      await routeKitPages(browser.context);
    },
    onResult: t.add,
  });
  console.log(`corpus: seed ${SEED}, ${SAMPLE} pages a kit\n${t.table()}`);
  assert.deepEqual(t.failures(), [], t.lines.join('\n'));
  assert.deepEqual(Object.keys(t.rows).sort(), [...Object.keys(KITS), 'generated'].sort(), 'every source was run');
});

test('credentials that arrive 9.5 s after an in-app navigation are read', async () => {
  const browser = await launch('chrome-dev');
  try {
    await presetLocalBase(browser, emulator.base);
    let index = 0;
    let spec;
    for (; ; index++) {
      spec = await admin(emulator.base, 'GET', `layout?seed=${SEED}&index=${index}`);
      if (spec.delivery === 'late' && !spec.decoy) break;
    }
    const page = await browser.context.newPage();
    await page.goto(`${emulator.base}/layout.html?seed=${SEED}&index=${index}&delay=9500#/dashboard`);
    await page.click('#layout-nav');
    await page.waitForFunction(() => document.documentElement.dataset.layoutRendered === 'done', null, { timeout: 20_000 });
    const ext = await browser.context.newPage();
    await ext.goto(browser.url('popup.html'));
    const tabId = await browser.worker.evaluate(async (u) => (await chrome.tabs.query({})).find((t) => t.url === u)?.id, page.url());
    const view = await until(async () => {
      const v = await ext.evaluate((tab_id) => chrome.runtime.sendMessage({ type: 'tab_state', tab_id }), tabId);
      return v.client_id && v;
    }, 'the late credentials read');
    assert.equal(view.client_id, spec.client_id);
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});
