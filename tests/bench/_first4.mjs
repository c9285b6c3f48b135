import { launch } from '../e2e/harness.mjs';
const browser = await launch('/tmp/kwext');
const r = await browser.worker.evaluate(async () => {
  const out = {};
  const time = async (name, f) => { const t = performance.now(); try { await f(); } catch (e) { out[name + '_err'] = String(e); } out[name] = Math.round(performance.now() - t); };
  out.start = Math.round(performance.now());
  await time('access', () => chrome.storage.local.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' }));
  await time('local', () => chrome.storage.local.get(null));
  await time('session', () => chrome.storage.session.get(null));
  await time('managed', () => chrome.storage.managed.get(null));
  await time('managed2', () => chrome.storage.managed.get(null));
  await time('alarms', () => chrome.alarms.get('x'));
  return out;
});
console.log(r);
await browser.close();
