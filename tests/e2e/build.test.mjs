// Checks on the built extension: manifest flavours, permissions, icons. No browser needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT, cargoVersion } from './harness.mjs';

const manifest = (flavour) => JSON.parse(readFileSync(join(ROOT, 'dist', flavour, 'manifest.json'), 'utf8'));
const LOOPBACK = /127\.0\.0\.1|localhost|\[::1\]/;

test('store builds never mention loopback; the dev build treats it as console and API host', () => {
  for (const flavour of ['chrome', 'firefox']) {
    assert.doesNotMatch(JSON.stringify(manifest(flavour)), LOOPBACK, flavour);
  }
  const dev = manifest('chrome-dev');
  for (const origin of ['http://127.0.0.1/*', 'http://localhost/*']) {
    assert.ok(dev.host_permissions.includes(origin), `host_permissions has ${origin}`);
    assert.ok(dev.content_scripts[0].matches.includes(origin), `content script matches ${origin}`);
  }
});

test('every flavour carries the Cargo.toml version, the wasm CSP and only the permissions in use', () => {
  for (const flavour of ['chrome', 'chrome-dev', 'firefox', 'firefox-dev']) {
    const m = manifest(flavour);
    assert.equal(m.version, cargoVersion());
    assert.equal(m.manifest_version, 3);
    assert.match(m.content_security_policy.extension_pages, /'wasm-unsafe-eval'/);
    const expected = ['storage', 'alarms', 'notifications', 'offscreen', 'scripting', 'clipboardWrite'].filter(
      (p) => !flavour.startsWith('firefox') || p !== 'offscreen',
    );
    assert.deepEqual(m.permissions, expected);
    // Reading the clipboard would be granted to the content scripts too: only at the admin's word.
    assert.deepEqual(m.optional_permissions, ['clipboardRead']);
    // The content script runs in top frames only: it reads same-origin frames from there, and
    // assumes so (it no longer checks `window.top` itself).
    for (const cs of m.content_scripts) {
      assert.deepEqual([cs.all_frames, cs.match_about_blank, cs.match_origin_as_fallback], [undefined, undefined, undefined]);
    }
    assert.equal(m.externally_connectable, undefined);
    assert.equal(m.web_accessible_resources, undefined);
  }
});

test("every flavour's pages get a strict CSP: nothing by default, then exactly what they use", () => {
  const API = ['https://directory-api.pingone.com', 'https://directory-api.pingone.eu', 'https://directory-api.pingone.com.au'];
  for (const flavour of ['chrome', 'chrome-dev', 'firefox', 'firefox-dev']) {
    const policy = manifest(flavour).content_security_policy.extension_pages;
    const directives = Object.fromEntries(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    const loopback = flavour.endsWith('-dev') ? ['http://127.0.0.1:*', 'http://localhost:*'] : [];
    assert.deepEqual(directives, {
      'default-src': ["'none'"],
      'script-src': ["'self'", "'wasm-unsafe-eval'"],
      'style-src': ["'self'"],
      'img-src': ["'self'"],
      'connect-src': ["'self'", ...API, ...loopback],
      'form-action': ["'none'"],
      'base-uri': ["'none'"],
      'frame-ancestors': ["'none'"],
    }, flavour);
  }
});

test('Chrome gets a module service worker; Firefox a background script fallback and a gecko id', () => {
  assert.deepEqual(manifest('chrome').background, { service_worker: 'background.js', type: 'module' });
  const ff = manifest('firefox');
  assert.deepEqual(ff.background, { scripts: ['background.js'], type: 'module' });
  assert.match(ff.browser_specific_settings.gecko.id, /@/);
});

test('the committed icons are exactly what the icon script draws', () => {
  const out = mkdtempSync(join(tmpdir(), 'keyward-icons-'));
  const run = spawnSync(process.execPath, [join(ROOT, 'extension/scripts/icons.mjs'), out]);
  assert.equal(run.status, 0, run.stderr?.toString());
  const sizes = readdirSync(out).sort();
  assert.deepEqual(sizes, ['icon-128.png', 'icon-16.png', 'icon-32.png', 'icon-48.png']);
  for (const name of sizes) {
    assert.ok(readFileSync(join(out, name)).equals(readFileSync(join(ROOT, 'extension/icons', name))), name);
  }
});

test('every shipped file is referenced by the manifest, a page or the worker (no stray files in dist)', () => {
  const files = readdirSync(join(ROOT, 'dist', 'chrome')).sort();
  assert.deepEqual(files, [
    'background.js', 'content-reader.js', 'content.js', 'export.html', 'export.js', 'icons', 'keyward.css', 'managed_schema.json', 'manifest.json', 'offscreen.html', 'offscreen.js',
    'options.html', 'options.js', 'pkg', 'popup.html', 'popup.js', 'spool-writer.js',
  ]);
  // The export page's disk writer is started by the wasm, by name.
  assert.ok(readFileSync(join(ROOT, 'src', 'web', 'spool.rs'), 'utf8').includes('"spool-writer.js"'));
});

test("the shipped content script keeps its glance's functions in parentheses, which has V8 compile them with the script", () => {
  const parenthesised = (text, pattern) => (text.match(pattern) ?? []).length;
  const source = readFileSync(join(ROOT, 'extension', 'content.js'), 'utf8');
  const written = parenthesised(source, /^ *const \w+ = \((async )?function /gm);
  assert.ok(written >= 5, `the source parenthesises the glance's functions (${written})`);
  for (const flavour of ['chrome', 'chrome-dev', 'firefox', 'firefox-dev']) {
    const shipped = readFileSync(join(ROOT, 'dist', flavour, 'content.js'), 'utf8');
    assert.equal(parenthesised(shipped, /=\((async )?function[ (]/g), written, flavour);
  }
});
