// The corpus's pages, as the runner takes them: pages drawn by UI kits (kits.mjs, spec.mjs) and
// the emulator's generated layouts (tests/emulator/src/layouts.rs), each with its truth.
import { admin } from '../e2e/harness.mjs';
import { asset, page } from './kits.mjs';
import { describe, spec } from './spec.mjs';

/** Where kit pages are served (Playwright answers every request; nothing listens there). */
export const KIT_ORIGIN = 'http://localhost:47611';

/** `count` pages of `kit` from `seed`, and the route that serves them. */
export function kitPages(kit, seed, count, first = 0) {
  return Array.from({ length: count }, (_, i) => {
    const s = spec(kit, seed, first + i);
    const [path, hash] = s.url.split('#');
    return {
      id: s.id,
      source: kit,
      spec: s,
      describe: describe(s),
      url: `${KIT_ORIGIN}${path}?corpus=${encodeURIComponent(s.id)}&seed=${seed}#${hash}`,
      phases: [
        {
          ready: (p) => p.waitForFunction(() => document.documentElement.dataset.corpusRendered === 'done', null, { timeout: 20_000 }),
          truth: { ...s.truth, others: [...s.others, s.example.clientId, s.example.key, s.values.newKey].filter(Boolean) },
          fill: s.delivery === 'property',
        },
      ],
    };
  });
}

/** Serves kit pages and their assets in `context` (the spec is drawn again from its id and seed). */
export async function routeKitPages(context) {
  await context.route(`${KIT_ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    const file = asset(url.pathname);
    if (file) return route.fulfill({ body: file.body, contentType: file.type });
    const id = url.searchParams.get('corpus');
    const match = id?.match(/^(\w+)-(\d+)$/);
    if (!match) return route.fulfill({ status: 404, body: '' });
    const s = spec(match[1], Number(url.searchParams.get('seed')), Number(match[2]));
    return route.fulfill({ body: page(s), contentType: 'text/html; charset=utf-8' });
  });
}

const layoutReady = (state) => (p) => p.waitForFunction((s) => document.documentElement.dataset.layoutRendered === s, state, { timeout: 20_000 });

/** `count` generated layouts of `seed` from the emulator at `base`. */
export async function layoutPages(base, seed, count) {
  const pages = [];
  for (let index = 0; index < count; index++) {
    const l = await admin(base, 'GET', `layout?seed=${seed}&index=${index}`);
    const late = l.delivery === 'late';
    const truth = (masked) => ({ client_id: l.client_id, api_key: l.api_key, masked, decoy: l.decoy, others: l.examples });
    const phases =
      l.delivery === 'masked_then_revealed'
        ? [
            { ready: layoutReady('masked'), truth: truth(true) },
            { ready: async (p) => (await p.click('#layout-reveal'), layoutReady('done')(p)), truth: truth(false) },
          ]
        : [{ ready: async (p) => (late && (await p.click('#layout-nav')), layoutReady('done')(p)), truth: truth(false) }];
    pages.push({
      id: `layout-${index}`,
      source: 'generated',
      describe: `#${index} ${l.template} ${l.delivery} ${l.variations.join(',')}${l.decoy ? ' decoy' : ''}`,
      url: `${base}/layout.html?seed=${seed}&index=${index}#${late ? '/dashboard' : '/setup/directory/api-credentials'}`,
      phases,
    });
  }
  return pages;
}
