// `make demo`: the emulator with the sandbox console on loopback, and Chromium with the dev build.
// With $DISPLAY a real window opens; without one Chromium runs headless and screenshots of what it
// shows are saved under target/demo/. Either way it stays up until Ctrl-C.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { HELPERS, ROOT, launch, presetLocalBase, readSandboxKey, sandboxCredentials, startEmulator } from './harness.mjs';

const port = process.env.KEYWARD_DEMO_PORT ?? '8787';
const emulator = await startEmulator(['--port', port, '--users', '5000', '--groups', '40'], { echo: true });
const headless = !process.env.DISPLAY;
const browser = await launch('chrome-dev', { headless });
await presetLocalBase(browser, emulator.base);

// The admin's first minute: the credentials page with the key shown (Keyward reads it and adds its
// helpers), then the popup, ready for a lookup.
const { clientId } = await sandboxCredentials(emulator.base);
const console_ = await readSandboxKey(browser, emulator.base, clientId);
await console_.locator(HELPERS).waitFor({ state: 'attached' });
const popup = await browser.context.newPage();
await popup.setViewportSize({ width: 440, height: 600 });
await popup.goto(browser.url('popup.html'));
await popup.getByTestId('lookup').waitFor();
await popup.fill('#lookup-text', 'a');
await popup.getByTestId('result-count').waitFor();

console.log(`Sandbox console: ${emulator.base}/#/setup/directory/api-credentials`);
console.log(`Keyward popup:   ${browser.url('popup.html')}`);
console.log(`Export page:     ${browser.url('export.html')}`);
if (headless) {
  const dir = join(ROOT, 'target', 'demo');
  mkdirSync(dir, { recursive: true });
  for (const [name, page] of [['console', console_], ['popup', popup]]) {
    const path = join(dir, `${name}.png`);
    await page.screenshot({ path });
    console.log(`Screenshot:      ${path}`);
  }
  console.log('No $DISPLAY: Chromium runs headless.');
}
console.log('Press Ctrl-C to stop.');

let stopping = false;
process.on('SIGINT', async () => {
  if (stopping) return;
  stopping = true;
  await browser.close();
  await emulator.stop();
  process.exit(0);
});
