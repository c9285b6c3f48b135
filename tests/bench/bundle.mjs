// The bundle's size as the budget counts it: every .wasm and .js file a build ships, gzipped one by
// one (zlib, level 9). `make bench` records it; `make build` prints it, run as
//   node tests/bench/bundle.mjs <dist-dir>
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** { gz, raw, wasmGz, jsGz } of the files under `dir` that run. */
export function bundleSize(dir) {
  const size = { gz: 0, raw: 0, wasmGz: 0, jsGz: 0 };
  const walk = (d) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(wasm|js)$/.test(f)) {
        const bytes = readFileSync(p);
        const gz = gzipSync(bytes, { level: 9 }).length;
        size.raw += bytes.length;
        size.gz += gz;
        size[f.endsWith('.wasm') ? 'wasmGz' : 'jsGz'] += gz;
      }
    }
  };
  walk(dir);
  return size;
}

export const BUDGET = 250_000;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { gz, raw, wasmGz, jsGz } = bundleSize(process.argv[2]);
  const n = (x) => x.toLocaleString('en-US');
  console.log(`size: bundle ${n(gz)} B gzipped (budget ${n(BUDGET)}): wasm ${n(wasmGz)} B, JS ${n(jsGz)} B; ${n(raw)} B raw`);
}
