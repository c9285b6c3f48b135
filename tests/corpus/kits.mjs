// The UI kits of the corpus, listed once: each kit's drawing script (kits/), the style sheets it
// ships with, and how a corpus page is put together from them. Bundles are built with esbuild
// into target/corpus/ (`build()`), and served to the browser by the runner.
import { build as esbuild } from 'esbuild';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const MODULES = join(HERE, 'node_modules');
export const OUT = join(HERE, '..', '..', 'target', 'corpus');

/** name → its drawing script and the kit's own style sheets (paths in node_modules). */
export const KITS = {
  astro: { entry: 'kits/astro.jsx', css: [] },
  mui: { entry: 'kits/mui.jsx', css: [] },
  antd: { entry: 'kits/antd.jsx', css: [] },
  bootstrap: { entry: 'kits/bootstrap.mjs', css: ['bootstrap/dist/css/bootstrap.min.css'] },
  shoelace: { entry: 'kits/shoelace.mjs', css: ['@shoelace-style/shoelace/dist/themes/light.css'] },
  carbon: { entry: 'kits/carbon.mjs', css: [] },
};

/** The pinned version of each kit's package, for reports. */
export function versions() {
  const pkg = JSON.parse(readFileSync(join(HERE, 'package.json'), 'utf8'));
  const names = { astro: '@pingux/astro', mui: '@mui/material', antd: 'antd', bootstrap: 'bootstrap', shoelace: '@shoelace-style/shoelace', carbon: '@carbon/web-components' };
  return Object.fromEntries(Object.entries(names).map(([kit, name]) => [kit, `${name} ${pkg.devDependencies[name]}`]));
}

/** Builds every kit's bundle (only those older than their sources). */
export async function build(names = Object.keys(KITS)) {
  mkdirSync(OUT, { recursive: true });
  for (const name of names) {
    const kit = KITS[name];
    const out = join(OUT, `${name}.js`);
    const newest = Math.max(...['runtime.mjs', 'kits/react.mjs', kit.entry, 'package-lock.json'].map((f) => statSync(join(HERE, f)).mtimeMs));
    try {
      if (statSync(out).mtimeMs > newest) continue;
    } catch {
      // Not built yet.
    }
    await esbuild({
      entryPoints: [join(HERE, kit.entry)],
      bundle: true,
      minify: true,
      format: 'iife',
      outfile: out,
      loader: { '.js': 'jsx' },
      jsx: 'automatic',
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'warning',
    });
  }
}

/** An asset a corpus page asks for (`/corpus-assets/<name>.js` or a kit's CSS), or null. */
export function asset(path) {
  const js = path.match(/^\/corpus-assets\/(\w+)\.js$/);
  if (js && KITS[js[1]]) return { body: readFileSync(join(OUT, `${js[1]}.js`)), type: 'text/javascript' };
  const css = path.match(/^\/corpus-assets\/css\/(.+\.css)$/);
  if (css && Object.values(KITS).some((k) => k.css.includes(css[1]))) return { body: readFileSync(join(MODULES, css[1])), type: 'text/css' };
  return null;
}

const escapeJson = (value) => JSON.stringify(value).replace(/</g, '\\u003c');

/** The HTML of a corpus page showing `spec`. */
export function page(spec) {
  const kit = KITS[spec.kit];
  const links = kit.css.map((c) => `<link rel="stylesheet" href="/corpus-assets/css/${c}">`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>PingOne Admin</title>${links}</head><body><div id="root"></div><script type="application/json" id="corpus-spec">${escapeJson(spec)}</script><script src="/corpus-assets/${spec.kit}.js"></script></body></html>`;
}
