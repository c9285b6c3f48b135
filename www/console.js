// The sandbox console: a single-page replica of the P14E admin portal shell, with hash routes like
// the real one. It reads the emulator's credentials from /_emulator/state and drives Renew through
// the emulator's admin API. Its credentials page markup switches among layouts (?layout=table, form,
// dl, grid, aria, shadow, iframe) so Keyward is not tuned to one DOM, and `localized` draws the page
// in French, which Keyward's reader cannot read (the admin shows it the fields). Everything is built
// with DOM calls, never HTML strings.
'use strict';

const LAYOUTS = ['table', 'form', 'dl', 'grid', 'aria', 'shadow', 'iframe', 'localized'];
const params = new URLSearchParams(location.search);
const layout = LAYOUTS.includes(params.get('layout')) ? params.get('layout') : 'table';
const MASK = '••••••••••••••••••••';
// The credentials page's words: English, or French for the localized layout.
const WORDS = layout === 'localized'
  ? { heading: "Identifiants de l'API", clientId: 'Identifiant client', apiKey: "Clé d'API", newKey: "Nouvelle clé d'API", show: 'Afficher', hide: 'Masquer', edit: 'Modifier', renew: 'Renouveler', save: 'Enregistrer', cancel: 'Annuler', note: "Utilisez ces identifiants pour accéder à l'API Directory de PingOne. L'identifiant client est lié à votre compte." }
  : { heading: 'API Credentials', clientId: 'Client ID', apiKey: 'API Key', newKey: 'New API Key', show: 'Show', hide: 'Hide', edit: 'Edit', renew: 'Renew', save: 'Save', cancel: 'Cancel', note: 'Use these credentials to access the PingOne Directory API. The Client ID is tied to your account and cannot be changed.' };

/** Creates an element: h('a', {href: '#'}, 'text', child, …). Attributes are set, text is text. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === undefined || v === null) continue;
    if (k === 'onclick') el.addEventListener('click', v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// Which of the emulator's accounts this console is signed in to (?account=N; default the first).
const account = /^\d{1,2}$/.test(params.get('account') ?? '') ? params.get('account') : '0';

async function emulator(path, body) {
  const res = await fetch(`/_emulator/${path}?account=${account}`, body === undefined ? {} : {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

const SUBNAV = {
  setup: [
    ['Directory Settings', [['Attributes', '#/setup/directory/attributes'], ['API Credentials', '#/setup/directory/api-credentials']]],
    ['Dock', [['Dock Settings', '#/setup/dock']]],
  ],
  account: [
    ['Account', [['Account Settings', '#/account'], ['Branding', '#/account/branding']]],
    ['Integration', [['Global Credentials', '#/account/integration/credentials']]],
  ],
  users: [['User Directory', [['Users', '#/users'], ['Groups', '#/users/groups']]]],
};

function renderSubnav(section, route) {
  const aside = document.getElementById('subnav');
  const groups = SUBNAV[section] ?? [];
  aside.replaceChildren(
    ...groups.flatMap(([title, links]) => [
      h('h3', {}, title),
      ...links.map(([label, href]) => h('a', { href, class: href === `#${route}` ? 'active' : false }, label)),
    ]),
  );
}

function simplePage(title, ...paragraphs) {
  return [h('h1', {}, title), h('div', { class: 'panel' }, ...paragraphs.map((p) => h('p', {}, p)))];
}

const VIEWS = {
  '/dashboard': () => simplePage('Dashboard', 'Welcome to PingOne for Enterprise.', 'SSO activity: 1,204 sign-ons in the last 24 hours.'),
  '/applications': () => simplePage('My Applications', 'SAML and basic SSO applications connected to this account.'),
  '/users': () => simplePage('Users', 'User Directory: search, add and manage users.'),
  '/users/groups': () => simplePage('Groups', 'User Directory: groups and directory roles.'),
  '/setup': () => simplePage('Setup', 'Configure the directory, the dock and certificates.'),
  '/setup/dock': () => simplePage('Dock Settings', 'Configure the PingOne dock.'),
  '/setup/directory/attributes': () => [
    h('h1', {}, 'Attributes'),
    h('div', { class: 'panel' },
      h('table', {}, h('tr', {}, h('th', {}, 'Attribute'), h('th', {}, 'Registration'), h('th', {}, 'Required')),
        ...['userName', 'emails', 'name'].map((a) => h('tr', {}, h('td', {}, a), h('td', {}, 'Yes'), h('td', {}, 'Yes')))),
      h('div', { class: 'actions' }, h('button', {}, 'Add Attribute'), h('button', {}, 'Reorder Attributes'))),
  ],
  '/setup/directory/api-credentials': credentialsPage,
  '/account': () => simplePage('Account Settings', 'Account name, administrators and subscription.'),
  '/account/branding': () => simplePage('Branding', 'Logo and admin banner message.'),
  '/account/integration/credentials': decoyPage,
};

// ---- The API Credentials page -------------------------------------------------------------------

const creds = { clientId: '', apiKey: '', pending: null, revealed: false, editing: false, error: '' };

async function loadCredentials() {
  const state = await emulator('state');
  creds.clientId = state.client_id;
  creds.apiKey = state.api_key;
  creds.pending = state.pending_key;
}

/** The key in force, when the page shows it (revealed, or in Edit mode). */
function keyShown() {
  return creds.revealed || creds.editing ? creds.apiKey : null;
}

function revealToggle() {
  return creds.editing ? null : h('button', {
    type: 'button', id: 'reveal-key', 'aria-pressed': String(creds.revealed),
    onclick: () => { creds.revealed = !creds.revealed; route(); },
  }, creds.revealed ? WORDS.hide : WORDS.show);
}

/** The rows a layout shows: the Client ID, the key in force, and — during a renewal — the new key. */
function rows() {
  const form = layout === 'form';
  const list = [
    { id: 'client-id-value', input: 'clientId', label: form ? 'Client ID:' : WORDS.clientId, value: creds.clientId, masked: false },
    { id: 'api-key-value', input: 'apiKey', label: form ? 'API key:' : WORDS.apiKey, value: keyShown() ?? creds.apiKey, masked: !keyShown() },
  ];
  if (creds.pending) list.push({ id: 'new-api-key-value', input: 'newApiKey', label: form ? 'New API key:' : WORDS.newKey, value: creds.pending, masked: false });
  return list;
}

/** A value as text (masked with bullets until shown), in `doc`. */
function valueSpan(doc, row) {
  const span = doc.createElement('span');
  span.className = row.masked ? 'value masked' : 'value';
  span.id = row.id;
  span.textContent = row.masked ? MASK : row.value;
  return span;
}

/** A read-only input (a password field while masked), in `doc`. */
function valueInput(doc, row, attrs = {}) {
  const input = doc.createElement('input');
  input.id = row.input;
  input.name = row.input;
  input.type = row.masked ? 'password' : 'text';
  input.readOnly = true;
  input.value = row.value;
  for (const [k, v] of Object.entries(attrs)) input.setAttribute(k, v);
  return input;
}

/** Builds the fields in `doc` (the page's, a frame's), in the chosen layout's markup. */
function fieldsIn(doc, kind) {
  const el = (tag, attrs = {}, ...children) => {
    const e = doc.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    e.append(...children);
    return e;
  };
  const list = rows();
  switch (kind) {
    case 'form':
      return el('form', { class: 'creds-form' }, ...list.map((r) => el('div', { class: 'field' }, el('label', { for: r.input }, r.label), valueInput(doc, r))));
    case 'dl':
      return el('dl', { class: 'creds' }, ...list.flatMap((r) => [el('dt', {}, r.label), el('dd', {}, valueSpan(doc, r))]));
    case 'grid':
    case 'localized':
      return el('div', { class: 'creds-grid' }, ...list.flatMap((r) => [el('div', { class: 'k' }, r.label), el('div', { class: 'v' }, valueSpan(doc, r))]));
    case 'aria':
      return el('div', { class: 'creds-aria' }, ...list.map((r) => el('div', { class: 'field' }, valueInput(doc, r, { 'aria-label': r.label }))));
    default:
      return el('table', { class: 'creds-table' }, ...list.map((r) => el('tr', {}, el('th', { scope: 'row' }, r.label), el('td', {}, valueSpan(doc, r)))));
  }
}

class SandboxCredentials extends HTMLElement {}
customElements.define('sandbox-credentials', SandboxCredentials);

function credentialFields() {
  if (layout === 'shadow') {
    // A web component: the fields in its open shadow root.
    const host = document.createElement('sandbox-credentials');
    host.attachShadow({ mode: 'open' }).append(fieldsIn(document, 'table'));
    return [host, revealToggle()];
  }
  if (layout === 'iframe') {
    // A same-origin frame: filled once it has loaded (so the fields arrive a moment late).
    const frame = h('iframe', { title: 'API credentials', class: 'creds-frame' });
    frame.addEventListener('load', () => frame.contentDocument.body.append(fieldsIn(frame.contentDocument, 'dl')), { once: true });
    frame.srcdoc = '<!doctype html><html><head><style>body{margin:0;font:14px monospace}dt{font-weight:600}</style></head><body></body></html>';
    return [frame, revealToggle()];
  }
  const fields = fieldsIn(document, layout);
  // The Show toggle sits after the key's value (the form layout: after its input).
  const key = layout === 'form' || layout === 'aria' ? fields.querySelector('#apiKey') : fields.querySelector('#api-key-value');
  key?.after(' ', revealToggle() ?? '');
  return fields;
}

async function act(step) {
  try {
    await step();
    creds.error = '';
  } catch (e) {
    creds.error = `Something went wrong: ${e.message}`;
  }
  route();
}

function credentialActions() {
  if (!creds.editing) {
    return h('div', { class: 'actions' }, h('button', { type: 'button', id: 'edit', onclick: () => { creds.editing = true; route(); } }, WORDS.edit));
  }
  return h('div', { class: 'actions' },
    h('button', { type: 'button', id: 'renew', onclick: () => act(async () => { creds.pending = (await emulator('renew', { stage: true })).pending_key; }) }, WORDS.renew),
    h('button', { type: 'button', id: 'save', class: 'primary', onclick: () => act(async () => {
      if (creds.pending) creds.apiKey = (await emulator('renew/commit', {})).api_key;
      creds.pending = null; creds.editing = false; creds.revealed = false;
    }) }, WORDS.save),
    h('button', { type: 'button', id: 'cancel', onclick: () => act(async () => {
      if (creds.pending) await emulator('renew/cancel', {});
      creds.pending = null; creds.editing = false;
    }) }, WORDS.cancel));
}

function credentialsPage() {
  const heading = layout === 'form' ? 'Credentials' : WORDS.heading;
  const origin = location.origin;
  return [
    h('h1', {}, heading),
    h('div', { class: 'panel', id: 'api-credentials' },
      h('p', { class: 'note' }, WORDS.note),
      credentialFields(),
      creds.pending ? h('p', { class: 'pending', role: 'status' }, 'A new API key has been generated (New API Key). Click Save to apply it: the current key stops working when you save. Cancel keeps the current key.') : null,
      creds.error ? h('p', { role: 'alert' }, creds.error) : null,
      credentialActions()),
    h('div', { class: 'panel' },
      h('h2', {}, 'Directory API URLs'),
      h('ul', { class: 'urls' },
        h('li', {}, 'North America: https://directory-api.pingone.com/api'),
        h('li', {}, 'Europe: https://directory-api.pingone.eu/api'),
        h('li', {}, 'Australia: https://directory-api.pingone.com.au/api'),
        h('li', {}, `Local emulator (sandbox only): ${origin}/api`)),
      h('p', { class: 'note' }, 'Rate limits are applied to the PingOne Directory APIs to prevent any one client from flooding them. When you reach the limit, the API responds with 429 Too Many Requests: reduce your request rate, or contact support if the limits get in the way.')),
  ];
}

// ---- A decoy: SSO for SaaS Apps' REST API credentials, which are not the Directory credential ----

function decoyPage() {
  return [
    h('h1', {}, 'Global Credentials'),
    h('div', { class: 'panel' },
      h('h2', {}, 'Connection API Credentials'),
      h('table', { class: 'creds-table' },
        h('tr', {}, h('th', {}, 'REST API Client ID'), h('td', {}, h('span', { class: 'value' }, '5b7c0f7e-2d0c-4d59-9d8e-3f1e2b6a9c41'))),
        h('tr', {}, h('th', {}, 'REST API Client Secret'), h('td', {}, h('span', { class: 'value' }, 'Zm9yLXNzby1vbmx5LW5vdC1kaXJlY3Rvcnk')))),
      h('p', { class: 'note' }, 'These credentials are for the PingOne SSO for SaaS Apps REST API.')),
  ];
}

// ---- Routing --------------------------------------------------------------------------------------

async function route() {
  const path = location.hash.replace(/^#/, '') || '/dashboard';
  const section = path.split('/')[1];
  for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('active', a.dataset.nav === section);
  renderSubnav(section, path);
  const view = VIEWS[path] ?? (() => simplePage('Not found', `No page at ${path}.`));
  if (view === credentialsPage && !creds.clientId) {
    try {
      await loadCredentials();
    } catch (e) {
      creds.error = `Could not load credentials: ${e.message}`;
    }
  }
  document.getElementById('view').replaceChildren(...view());
}

const select = document.getElementById('layout-switch');
select.value = layout;
select.addEventListener('change', () => {
  const next = new URL(location.href);
  next.searchParams.set('layout', select.value);
  location.assign(next);
});
// The emulator's strict profile, on or off for every account: what the API answers, not the page.
const strict = document.getElementById('strict-switch');
fetch('/_emulator/state').then((r) => r.json()).then((state) => { strict.checked = Boolean(state.strict); }, () => {});
strict.addEventListener('change', () => {
  fetch('/_emulator/config', {
    method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ strict: strict.checked }),
  }).then((r) => { if (!r.ok) strict.checked = !strict.checked; }, () => { strict.checked = !strict.checked; });
});
window.addEventListener('hashchange', () => {
  if (!location.hash.startsWith('#/setup/directory/api-credentials')) {
    creds.editing = false;
    creds.revealed = false;
  }
  route();
});
route();
