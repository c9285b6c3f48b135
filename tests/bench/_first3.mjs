import { launch } from '../e2e/harness.mjs';
const browser = await launch('/tmp/kwext');
await new Promise(r => setTimeout(r, 6000));
const page = await browser.context.newPage();
await page.goto(browser.url('blank.html'));
const times = await page.evaluate(async () => {
  const out = [];
  for (const m of [{ type: 'status' }, { type: 'status' }]) { const t = performance.now(); await chrome.runtime.sendMessage(m); out.push(Math.round(performance.now() - t)); }
  return out;
});
console.log('after 6s idle', times);
const w = await browser.worker.evaluate(async () => { const t = performance.now(); const r = await chrome.storage.local.get(null); return [performance.now() - t, Object.keys(r)]; });
console.log(w);
await browser.close();
