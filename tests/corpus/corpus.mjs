// `make corpus`: the whole reader corpus through the built extension — every kit's pages and the
// generated layouts — with a table of outcomes per source, written to target/corpus/report.md
// (misses and wrong reads listed in target/corpus/pages.txt). Fails on any wrong value, any page
// that errs, or a source that reads fewer than 95 % of its readable pages.
//   node tests/corpus/corpus.mjs [--per-kit 200] [--layouts 400] [--seed 20261207] [--kits mui,antd] [--lanes 4]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { presetLocalBase, startEmulator } from '../e2e/harness.mjs';
import { KITS, OUT, build, versions } from './kits.mjs';
import { runPages, success } from './run.mjs';
import { kitPages, layoutPages, routeKitPages } from './sources.mjs';

/** The share of readable pages each source must read. */
export const GOAL = 0.95;

/** Counts outcomes per source as results arrive. */
export function tally() {
  const rows = {};
  const lines = [];
  const add = (entry, phase, result) => {
    if (!entry) {
      lines.push(`browser: ${result.error}`);
      (rows.browser ??= { pages: 0, readable: 0, read: 0, hidden: 0, missed: 0, refused: 0, wrong: 0, errors: 0 }).errors++;
      return;
    }
    const row = (rows[entry.source] ??= { pages: 0, readable: 0, read: 0, hidden: 0, missed: 0, refused: 0, wrong: 0, errors: 0 });
    row.pages++;
    if (!phase.truth.decoy) row.readable++;
    if (result.error) {
      row.errors++;
      lines.push(`ERROR ${entry.describe}: ${result.error}`);
    } else if (result.wrong) {
      row.wrong++;
      lines.push(`WRONG ${entry.describe}: ${result.wrong}`);
    } else if (result.outcome === 'refused') row.refused++;
    else if (success(result.outcome)) row[result.outcome]++;
    else {
      row.missed++;
      lines.push(`MISS ${entry.describe}${phase.truth.masked ? ' (masked)' : ''}: ${JSON.stringify(result.view ?? {})}`);
    }
  };
  const rate = (row) => (row.readable ? (row.read + row.hidden) / row.readable : 1);
  const failures = () =>
    Object.entries(rows).flatMap(([source, row]) => [
      ...(row.wrong ? [`${source}: ${row.wrong} wrong`] : []),
      ...(row.errors ? [`${source}: ${row.errors} errors`] : []),
      ...(rate(row) < GOAL ? [`${source}: read ${(rate(row) * 100).toFixed(1)} % of readable pages (goal ${GOAL * 100} %)`] : []),
    ]);
  const table = (names = {}) => {
    const head = '| source | pages | readable | read | hidden (masked, right) | not recognised | decoys refused | wrong | errors | read rate |\n|---|---|---|---|---|---|---|---|---|---|';
    const body = Object.entries(rows).map(
      ([source, r]) => `| ${names[source] ?? source} | ${r.pages} | ${r.readable} | ${r.read} | ${r.hidden} | ${r.missed} | ${r.refused} | ${r.wrong} | ${r.errors} | ${(rate(r) * 100).toFixed(1)} % |`,
    );
    return [head, ...body].join('\n');
  };
  return { add, rows, lines, failures, table };
}

/** A page's last full read, item by item, and what came of it. */
function printRead(entry, result) {
  console.log(entry.describe);
  if (entry.spec) console.log(JSON.stringify(entry.spec));
  const s = result.snapshot;
  if (s) {
    writeFileSync(join(OUT, 'snapshot.json'), JSON.stringify(s));
    console.log(`url ${s.url}\nheadings ${JSON.stringify(s.headings)}\nbuttons ${JSON.stringify(s.buttons)}`);
    s.items.forEach((item, i) =>
      console.log(
        `${String(i).padStart(3)} ${item.tag.padEnd(8)} [${item.path.join(' ')}]${item.cell ? ` cell ${item.cell.table}:${item.cell.row}:${item.cell.col}${item.cell.head ? 'h' : ''}` : ''}${item.input ? ` input ${item.input.kind} ${JSON.stringify(item.input.names)}` : ''}${item.marks.length ? ` marks ${item.marks.join(',')}` : ''} ${JSON.stringify(item.text)}`,
      ),
    );
  } else console.log('no full read');
  const { snapshot, ...rest } = result;
  console.log(JSON.stringify(rest));
}

async function main() {
  const { values } = parseArgs({
    options: {
      'per-kit': { type: 'string', default: '200' },
      layouts: { type: 'string', default: '400' },
      seed: { type: 'string', default: '20261207' },
      kits: { type: 'string', default: Object.keys(KITS).join(',') },
      lanes: { type: 'string', default: '4' },
      // One page, its last full read printed item by item (for working on the reader).
      only: { type: 'string' },
    },
  });
  const seed = Number(values.seed);
  const kits = values.only ? [values.only.split('-')[0]].filter((k) => KITS[k]) : values.kits.split(',').filter(Boolean);
  await build(kits);
  const emulator = await startEmulator(['--users', '3']);
  const started = Date.now();
  const t = tally();
  try {
    const only = values.only?.match(/^(\w+)-(\d+)$/);
    const pages = only
      ? only[1] === 'layout'
        ? (await layoutPages(emulator.base, seed, Number(only[2]) + 1)).slice(-1)
        : kitPages(only[1], seed, 1, Number(only[2]))
      : [...kits.flatMap((kit) => kitPages(kit, seed, Number(values['per-kit']))), ...(await layoutPages(emulator.base, seed, Number(values.layouts)))];
    let done = 0;
    await runPages(pages, {
      lanes: Number(values.lanes),
      dump: Boolean(only),
      setup: async (browser) => {
        await presetLocalBase(browser, emulator.base);
        await routeKitPages(browser.context);
      },
      onResult: (entry, phase, result) => {
        if (only) printRead(entry, result);
        t.add(entry, phase, result);
        if (++done % 50 === 0) console.log(`corpus: ${done} judged`);
      },
    });
  } finally {
    await emulator.stop();
  }
  const names = { ...versions(), generated: 'generated layouts (tests/emulator/src/layouts.rs)' };
  const report = `# Reader corpus\n\nseed ${seed}, ${((Date.now() - started) / 1000).toFixed(0)} s\n\n${t.table(names)}\n`;
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'report.md'), report);
  writeFileSync(join(OUT, 'pages.txt'), `${t.lines.join('\n')}\n`);
  console.log(report);
  console.log(`pages missed, wrong or in error: ${join(OUT, 'pages.txt')}`);
  const failures = t.failures();
  if (failures.length) {
    console.error(`corpus: FAILED: ${failures.join('; ')}`);
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
