// The corpus page's own script, bundled with each kit: reads the page's spec, turns it into the
// model every kit draws (the console's shell, the credentials rows, what sits around them), and
// delivers it — at once, after an in-app route change, in a same-origin frame, or with its inputs
// filled later as DOM properties (no attribute, no mutation), as frameworks do. When everything is
// on screen, <html data-corpus-rendered="done">; a property fill also sets data-corpus-filled-at to
// the page clock's time of the fill, so the runner can ask for a read made after it.

const ROUTE_USERS = '#/users';

/** The rows a credentials panel shows, in order. */
function rows(spec) {
  const { labels, values, state } = spec;
  const out = [
    { field: 'clientId', label: labels.clientId, value: values.clientId, masked: false },
    { field: 'apiKey', label: labels.apiKey, value: values.apiKey, masked: state === 'masked' },
  ];
  if (state === 'renewing') out.push({ field: 'newKey', label: labels.newKey, value: values.newKey, masked: false });
  return out;
}

/**
 * What a kit draws: the shell (navigation, heading, banner), the credentials rows and the buttons
 * of the page's state, and the noise. `fill` is set when inputs are filled later by property: a
 * kit then draws its inputs empty, with `id` = `fillId(field)`.
 */
export function model(spec, { page = 'credentials', fill = false } = {}) {
  const buttons = spec.decoy ? ['Regenerate'] : spec.state === 'renewing' ? ['Renew', 'Save', 'Cancel'] : ['Edit'];
  return {
    spec,
    page,
    heading: page === 'users' ? 'Users' : spec.heading,
    nav: ['Dashboard', 'Applications', 'Users', 'Setup', 'Account'],
    side: ['Attributes', 'API Credentials', 'Password Policy', 'Identity Repository'],
    rows: rows(spec),
    buttons,
    masked: spec.state === 'masked',
    noise: new Set(spec.noise),
    fill,
    fillId: (field) => `corpus-fill-${field}`,
    example: spec.example,
    others: spec.others,
    users: [
      ['Amélie Dubois', 'amelie.dubois@acme.example', 'Active'],
      ['Kwame Mensah', 'kwame.mensah@acme.example', 'Active'],
      ['山田 太郎', 'taro.yamada@acme.example', 'Disabled'],
    ],
    regions: ['https://directory-api.pingone.com/api', 'https://directory-api.pingone.eu/api', 'https://directory-api.pingone.com.au/api'],
    activity: spec.others.map((id, i) => [`2026-11-${10 + i} 09:1${i}`, id, 'GET /directory/user', '200']),
    curl: `curl -u "${spec.example.clientId}:${spec.example.key}" https://directory-api.pingone.com/api/directory/user`,
    help: `${spec.example.wording} ${spec.example.clientId}`.trim(),
    note: '(generated Mar 14, 2024 by jane.doe@acme.example)',
    oauth: 'These credentials are for the Directory API only. OAuth 2.0 clients and their secrets are configured under Applications.',
    banner: 'Scheduled maintenance on Saturday, 02:00–04:00 UTC.',
  };
}

const done = (doc = document) => (doc.documentElement.dataset.corpusRendered = 'done');

/** Whether `text` is on screen: in a field's value, or the text of the innermost element that
 *  holds all of it (a value a kit split into highlighted tokens counts), shown (not hidden by its
 *  own or an ancestor's style) — in the document, its open shadow roots and same-origin frames. */
function shows(root, text) {
  for (const el of root.querySelectorAll('*')) {
    if (el.tagName === 'SCRIPT' || el.tagName === 'STYLE' || el.tagName === 'TEMPLATE') continue;
    if ((el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') && el.value.includes(text) && visible(el)) return true;
    const innermost = el.textContent.includes(text) && ![...el.children].some((c) => c.textContent.includes(text));
    if (innermost && visible(el)) return true;
    if (el.shadowRoot && shows(el.shadowRoot, text)) return true;
    if (el.tagName === 'IFRAME' && el.contentDocument && shows(el.contentDocument, text)) return true;
  }
  return false;
}

/** Whether an element is drawn, across shadow boundaries (a slotted node is drawn where its slot is). */
function visible(el) {
  if (!el?.checkVisibility({ visibilityProperty: true })) return false;
  const rect = el.getBoundingClientRect();
  return rect.width > 0 && rect.height > 0;
}

/** Resolves once the kit has put `text` on screen (kits render in portals, after animations,
 *  or in shadow roots a frame later). */
function onScreen(text) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const look = () => {
      if (shows(document, text)) return resolve();
      if (performance.now() - started > 10_000) return reject(new Error(`corpus: the kit never showed ${text}`));
      requestAnimationFrame(look);
    };
    look();
  });
}

/** Finds an element by id in a document, its open shadow roots and its same-origin frames. */
function deepById(root, id) {
  const found = root.getElementById?.(id);
  if (found) return found;
  for (const el of root.querySelectorAll('*')) {
    const inner = (el.shadowRoot && deepById(el.shadowRoot, id)) || (el.tagName === 'IFRAME' && el.contentDocument && deepById(el.contentDocument, id));
    if (inner) return inner;
  }
  return null;
}

/** Fills the page's empty inputs as a framework would: by property, with no attribute. */
function fillByProperty(m) {
  for (const row of m.rows) {
    const el = deepById(document, m.fillId(row.field));
    if (!el) throw new Error(`corpus: no input to fill for ${row.field}`);
    el.value = row.value;
  }
  document.documentElement.dataset.corpusFilledAt = String(performance.now());
}

/**
 * Runs a kit on this page. `kit.draw(container, model)` draws a model and resolves once it is on
 * screen. The spec is in <script type="application/json" id="corpus-spec">.
 */
export async function run(kit) {
  const spec = JSON.parse(document.getElementById('corpus-spec').textContent);
  const root = document.getElementById('root');
  // In a frame, the frame's document draws the page, and the top document says when it is done.
  if (window !== window.top) {
    await kit.draw(root, model(spec));
    await onScreen(spec.values.clientId);
    window.parent.postMessage('corpus-frame-drawn', location.origin);
    return;
  }
  switch (spec.delivery) {
    case 'frame': {
      const frame = document.createElement('iframe');
      frame.title = 'Directory settings';
      frame.style.cssText = 'width: 100%; height: 900px; border: 0';
      window.addEventListener('message', (e) => e.data === 'corpus-frame-drawn' && done(), { once: true });
      frame.src = location.href.replace(/#.*$/, '');
      root.append(frame);
      return;
    }
    case 'late': {
      const route = location.hash;
      history.replaceState(null, '', ROUTE_USERS);
      await kit.draw(root, model(spec, { page: 'users' }));
      setTimeout(async () => {
        history.pushState(null, '', route);
        await kit.draw(root, model(spec));
        await onScreen(spec.values.clientId);
        done();
      }, spec.lateMs);
      return;
    }
    case 'property': {
      const m = model(spec, { fill: true });
      await kit.draw(root, m);
      setTimeout(async () => {
        fillByProperty(m);
        await onScreen(spec.values.clientId);
        done();
      }, spec.lateMs);
      return;
    }
    default:
      await kit.draw(root, model(spec));
      await onScreen(spec.values.clientId);
      done();
  }
}
