import { launch } from '../e2e/harness.mjs';
import { cpSync, writeFileSync, rmSync } from 'node:fs';
const dir = '/tmp/kwext'; rmSync(dir, { recursive: true, force: true });
cpSync('/work/main/dist/chrome-dev', dir, { recursive: true });
writeFileSync(`${dir}/blank.html`, '<!doctype html><meta charset="utf-8"><title>blank</title><script type="module" src="blank.js"></script><div id="app"></div>');
writeFileSync(`${dir}/blank.js`, "performance.mark('keyward:ready');\n");
for (let i = 0; i < 2; i++) {
  const browser = await launch(dir);
  const page = await browser.context.newPage();
  await page.goto(browser.url('blank.html'));
  const blankReady = await page.waitForFunction(() => performance.getEntriesByName('keyward:ready')[0]?.startTime).then((h) => h.jsonValue());
  const times = await page.evaluate(async () => {
    const out = [];
    for (const m of [{ type: 'status' }, { type: 'status' }, { type: 'tab_state', tab_id: -1 }, { type: 'tab_state', tab_id: -1 }]) {
      const t = performance.now(); await chrome.runtime.sendMessage(m); out.push(m.type + ':' + Math.round(performance.now() - t));
    }
    return out;
  });
  console.log({ blankReady, times });
  await browser.close();
}
