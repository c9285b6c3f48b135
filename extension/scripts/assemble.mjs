// Assembles one flavour of the extension into an output folder:
//   node extension/scripts/assemble.mjs <chrome|chrome-dev|firefox|firefox-dev> <out-dir> <pkg-dir>
// It copies the extension's static files and the wasm-bindgen output, minifying JS and CSS (what
// ships is downloaded and parsed by every admin; the sources stay readable here), and writes the
// flavour's manifest: the version from Cargo.toml; Firefox's background.scripts fallback and gecko id;
// the pages' CSP, which lets them connect to exactly the flavour's API hosts; and, for the -dev
// flavours only, loopback origins as console origins and API hosts.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

const [flavour, outDir, pkgDir] = process.argv.slice(2);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ext = join(root, 'extension');

// Files that ship. Everything else in extension/ (scripts/) is build tooling.
const SHIPPED = [
  'background.js', 'content.js', 'content-reader.js', 'popup.html', 'popup.js', 'options.html', 'options.js', 'export.html', 'export.js', 'spool-writer.js',
  'offscreen.html', 'offscreen.js', 'keyward.css', 'icons', 'managed_schema.json',
];
const LOOPBACK = ['http://127.0.0.1/*', 'http://localhost/*'];
export const GECKO_ID = 'keyward@keyward.dev';

function cargoVersion() {
  const toml = readFileSync(join(root, 'Cargo.toml'), 'utf8');
  const match = toml.match(/^\[package\][^[]*?^version\s*=\s*"([^"]+)"/m);
  if (!match) throw new Error('no [package] version in Cargo.toml');
  return match[1];
}

export function manifestFor(flavour, base) {
  // The source manifest has no version: Cargo.toml is its single source.
  const { manifest_version, name, ...rest } = structuredClone(base);
  const m = { manifest_version, name, version: cargoVersion(), ...rest };
  if (flavour === 'firefox' || flavour === 'firefox-dev') {
    m.background = { scripts: [m.background.service_worker], type: 'module' };
    // Firefox has no offscreen documents (its background page has a DOM of its own), and reads
    // enterprise policy from a native manifest rather than a managed_schema.
    m.permissions = m.permissions.filter((p) => p !== 'offscreen');
    delete m.storage;
    m.browser_specific_settings = {
      // Keyward collects and transmits no data: it talks only to the admin's own PingOne APIs.
      gecko: { id: GECKO_ID, strict_min_version: '142.0', data_collection_permissions: { required: ['none'] } },
    };
    delete m.minimum_chrome_version;
  } else if (flavour !== 'chrome' && flavour !== 'chrome-dev') {
    throw new Error(`unknown flavour ${flavour}`);
  }
  if (flavour.endsWith('-dev')) {
    m.name = `${m.name} (dev)`;
    m.host_permissions = [...m.host_permissions, ...LOOPBACK];
    for (const cs of m.content_scripts) cs.matches = [...cs.matches, ...LOOPBACK];
  }
  m.content_security_policy = { extension_pages: pagesPolicy(flavour, m.host_permissions) };
  return m;
}

/** The CSP of Keyward's pages and worker: nothing by default, then exactly what they use — their
 *  own scripts, wasm, styles and images, and connections to their own files (the wasm) and to the
 *  flavour's Directory API hosts (the dev flavours' loopback ones on any port). */
export function pagesPolicy(flavour, hostPermissions) {
  const api = hostPermissions
    .filter((p) => /^https:\/\/directory-api\./.test(p))
    .map((p) => p.replace(/\/\*$/, ''));
  const loopback = flavour.endsWith('-dev') ? ['http://127.0.0.1:*', 'http://localhost:*'] : [];
  return [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self'",
    `connect-src 'self' ${[...api, ...loopback].join(' ')}`,
    "form-action 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The content script's reading limits and timings, from their one source: the `script` module of
 *  `src/core/console/snapshot.rs` (plain JS cannot import Rust; the build writes the numbers in). */
export function scriptRules() {
  const source = readFileSync(join(root, 'src/core/console/snapshot.rs'), 'utf8');
  const block = source.match(/^pub mod script \{([\s\S]*?)^\}/m);
  if (!block) throw new Error('no `pub mod script` in src/core/console/snapshot.rs');
  const rules = {};
  for (const [, name, value] of block[1].matchAll(/pub const (\w+): \w+ = ([\d_]+);/g)) {
    rules[name] = Number(value.replaceAll('_', ''));
  }
  if (Object.keys(rules).length === 0) throw new Error('the `script` module has no rules');
  return rules;
}

/** Copies `from` to `to`, minified when it is JS or CSS: whitespace, comments and local names go;
 *  syntax is left as written (no target lowering), and top-level names of classic scripts stay. */
function ship(from, to) {
  const loader = { '.js': 'js', '.css': 'css' }[extname(from)];
  if (!loader) return cpSync(from, to, { recursive: true });
  const text = readFileSync(from, 'utf8');
  // The content script names its rules as `RUST_SCRIPT_RULES.NAME`: every name must exist in Rust.
  const define = {};
  if (text.includes('RUST_SCRIPT_RULES')) {
    const rules = scriptRules();
    for (const [, name] of text.matchAll(/RUST_SCRIPT_RULES\.(\w+)/g)) {
      if (!(name in rules)) throw new Error(`${from}: RUST_SCRIPT_RULES.${name} is not in Rust's script rules`);
      define[`RUST_SCRIPT_RULES.${name}`] = String(rules[name]);
    }
  }
  const { code } = transformSync(text, { loader, minify: true, legalComments: 'none', define });
  if (code.includes('RUST_SCRIPT_RULES')) throw new Error(`${from}: a script rule was left unfilled`);
  writeFileSync(to, code);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!flavour || !outDir || !pkgDir) {
    console.error('usage: assemble.mjs <chrome|chrome-dev|firefox|firefox-dev> <out-dir> <pkg-dir>');
    process.exit(2);
  }
  const base = JSON.parse(readFileSync(join(ext, 'manifest.json'), 'utf8'));
  const manifest = manifestFor(flavour, base);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'pkg'), { recursive: true });
  for (const f of SHIPPED) ship(join(ext, f), join(outDir, f));
  for (const f of ['keyward.js', 'keyward_bg.wasm']) ship(join(pkgDir, f), join(outDir, 'pkg', f));
  writeFileSync(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
}
