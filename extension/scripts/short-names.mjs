// Gives the wasm's imports, exports and import module one- and two-letter names, and rewrites the
// wasm-bindgen glue to match:
//   node extension/scripts/short-names.mjs <pkg-dir>
// wasm-bindgen names each import after its JS function plus a 16-digit hash, and those names sit
// twice in the bundle (the wasm's import section and the glue's import object) where gzip can do
// little with the hashes: about 5 KB gzipped of names no one reads. binaryen renames them and
// prints the mapping; this script applies it to the glue and refuses to write a glue that would
// not link (every import the wasm asks for, and every export the glue calls, must be found).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FEATURES = [
  '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
  '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue',
];

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function shorten(pkgDir, wasmOpt = 'wasm-opt') {
  const wasm = join(pkgDir, 'keyward_bg.wasm');
  const gluePath = join(pkgDir, 'keyward.js');
  const printed = execFileSync(wasmOpt, ['--minify-imports-and-exports-and-modules', ...FEATURES, wasm, '-o', wasm], {
    encoding: 'utf8',
  });
  // binaryen prints the mapping as JSON with trailing commas.
  const start = printed.indexOf('{');
  const mapping = JSON.parse(printed.slice(start).replace(/,(\s*[\]}])/g, '$1'));
  let glue = readFileSync(gluePath, 'utf8');
  const modules = new Set(mapping.imports.map(([module]) => module));
  if (modules.size !== 1) throw new Error(`expected one import module, got ${[...modules]}`);
  const [module] = modules;
  // binaryen names the only module "a".
  const moduleKey = new RegExp(`(["'])${escape(module)}\\1\\s*:`);
  if (!moduleKey.test(glue)) throw new Error(`the glue has no import module ${module}`);
  glue = glue.replace(moduleKey, '"a":');
  for (const [, from, to] of mapping.imports) {
    const key = new RegExp(`(?<![\\w$])${escape(from)}(\\s*:\\s*function)`, 'g');
    const found = glue.match(key)?.length ?? 0;
    if (found !== 1) throw new Error(`import ${from}: found ${found} times in the glue`);
    glue = glue.replace(key, `${JSON.stringify(to)}$1`);
  }
  const renamed = new Map(mapping.exports.map(([from, to]) => [from, to]));
  glue = glue.replace(/\bwasm\.([A-Za-z_$][\w$]*)/g, (all, name) => {
    const to = renamed.get(name);
    if (!to) throw new Error(`the glue calls wasm.${name}, which the wasm does not export`);
    return `wasm.${to}`;
  });
  writeFileSync(gluePath, glue);
  return { imports: mapping.imports.length, exports: mapping.exports.length };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const [pkgDir] = process.argv.slice(2);
  if (!pkgDir) {
    console.error('usage: short-names.mjs <pkg-dir>');
    process.exit(2);
  }
  const { imports, exports } = shorten(pkgDir);
  console.log(`short names: ${imports} imports, ${exports} exports`);
}
