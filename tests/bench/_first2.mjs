import { launch } from '../e2e/harness.mjs';
const browser = await launch('/tmp/kwext');
await new Promise(r => setTimeout(r, 5000));
const info = await browser.worker.evaluate(() => ({ now: performance.now(), entries: performance.getEntries().map(e => [e.entryType, e.name.split('/').pop(), Math.round(e.startTime), Math.round(e.duration)]) }));
console.log(JSON.stringify(info, null, 1));
await browser.close();
