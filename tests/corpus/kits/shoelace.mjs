// Shoelace web components (open shadow roots): sl-input read-only and password fields, copy
// buttons, cards, dialogs, tab groups, tooltips and alerts; what Shoelace has no component for
// (detail lists, tables, lists) is plain markup beside them, as Shoelace's docs do.
import '@shoelace-style/shoelace/dist/components/alert/alert.js';
import '@shoelace-style/shoelace/dist/components/button/button.js';
import '@shoelace-style/shoelace/dist/components/card/card.js';
import '@shoelace-style/shoelace/dist/components/copy-button/copy-button.js';
import '@shoelace-style/shoelace/dist/components/dialog/dialog.js';
import '@shoelace-style/shoelace/dist/components/divider/divider.js';
import '@shoelace-style/shoelace/dist/components/input/input.js';
import '@shoelace-style/shoelace/dist/components/tab-group/tab-group.js';
import '@shoelace-style/shoelace/dist/components/tab-panel/tab-panel.js';
import '@shoelace-style/shoelace/dist/components/tab/tab.js';
import '@shoelace-style/shoelace/dist/components/tooltip/tooltip.js';
import { setBasePath } from '@shoelace-style/shoelace/dist/utilities/base-path.js';
import { run } from '../runtime.mjs';
import { h, domDraw } from './dom.mjs';
import { BULLETS, extrasOf } from './react.mjs';

// Icons are fetched from here (the runner answers with nothing).
setBasePath('/corpus-assets/shoelace');

const shown = (row) => (row.masked ? BULLETS : row.value);
const mono = 'font-family: var(--sl-font-mono)';

function extras(m, row) {
  return extrasOf(m, row).map((text) =>
    text === 'Show' || text === 'Hide' ? h('a', { href: '#', style: 'margin-left: .5rem' }, text) : h('small', { style: 'margin-left: .5rem; color: var(--sl-color-neutral-500)' }, text),
  );
}

function help(m, row) {
  if (row.field !== 'clientId' || !m.noise.has('help')) return null;
  return h('sl-tooltip', { content: m.help, open: true, placement: 'right' }, h('sl-button', { size: 'small', variant: 'text', 'aria-label': 'About the Client ID' }, '?'));
}

function copy(row) {
  return row.masked ? null : h('sl-copy-button', { value: row.value });
}

function fields(m) {
  return m.rows.map((row) =>
    h(
      'div',
      { style: 'display: flex; align-items: flex-end; gap: .5rem; margin-bottom: 1rem; max-width: 600px' },
      h('sl-input', {
        label: row.label,
        readonly: true,
        style: 'flex: 1',
        type: row.masked ? 'password' : 'text',
        'password-toggle': row.masked,
        ...(m.fill ? { id: m.fillId(row.field) } : { '.value': row.value }),
      }),
      help(m, row),
      extras(m, row),
    ),
  );
}

function details(m) {
  return h('dl', {}, m.rows.map((row) => [h('dt', { style: 'font-weight: 600' }, row.label, help(m, row)), h('dd', { style: mono }, shown(row), copy(row), extras(m, row))]));
}

function table(m) {
  return h(
    'table',
    { style: 'border-collapse: collapse' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Setting'), h('th', {}, 'Value'))),
    h('tbody', {}, m.rows.map((row) => h('tr', {}, h('td', {}, row.label, help(m, row)), h('td', { style: mono }, shown(row), copy(row), extras(m, row))))),
  );
}

function cards(m) {
  return h(
    'div',
    { style: 'display: flex; gap: 1rem; flex-wrap: wrap' },
    m.rows.map((row) => h('sl-card', {}, h('strong', { style: mono }, shown(row)), h('br'), h('small', {}, row.label), help(m, row), h('div', {}, extras(m, row)))),
  );
}

function code(m) {
  return m.rows.map((row) =>
    h('div', { style: 'margin-bottom: 1rem' }, h('div', { style: 'font-weight: 600' }, row.label, help(m, row)), h('div', { style: 'display: flex; align-items: center' }, h('code', {}, shown(row)), copy(row), extras(m, row))),
  );
}

function columns(m) {
  return h(
    'div',
    { style: 'display: flex; gap: 3rem' },
    h('div', {}, m.rows.map((row) => h('p', {}, row.label, help(m, row)))),
    h('div', {}, m.rows.map((row) => h('p', { style: mono }, shown(row), extras(m, row)))),
  );
}

function list(m) {
  return h(
    'div',
    {},
    m.rows.map((row) => [h('div', { style: 'display: flex; align-items: center; gap: 1rem; padding: .5rem 0' }, h('div', {}, h('div', { style: mono }, shown(row)), h('div', { style: 'font-size: small' }, row.label)), help(m, row), copy(row)), h('sl-divider')]),
  );
}

const PANELS = { fields, details, table, cards, code, columns, list };

function panel(m) {
  return (PANELS[m.spec.pattern] ?? (m.spec.inputs ? fields : details))(m);
}

function noise(m) {
  return h(
    'div',
    { style: 'margin-top: 1.5rem' },
    m.noise.has('oauth') && h('sl-alert', { variant: 'primary', open: true }, m.oauth),
    m.noise.has('regions') && [h('h3', {}, 'Directory API URLs'), h('ul', {}, m.regions.map((u) => h('li', {}, u))), h('p', {}, 'The Directory API limits how fast a client may send requests.')],
    m.noise.has('curl') && [h('h3', {}, 'Example request'), h('pre', {}, m.curl)],
    m.noise.has('activity') && [
      h('h3', {}, 'Recent API activity'),
      h('table', {}, h('thead', {}, h('tr', {}, ['Time', 'Client ID', 'Request', 'Status'].map((t) => h('th', {}, t)))), h('tbody', {}, m.activity.map((r) => h('tr', {}, r.map((c) => h('td', {}, c)))))),
    ],
  );
}

function buttons(m) {
  return h('div', { style: 'display: flex; gap: .5rem; margin-bottom: 1rem' }, m.masked && h('sl-button', {}, 'Show'), m.buttons.map((b) => h('sl-button', { variant: b === 'Save' || b === 'Edit' ? 'primary' : 'default' }, b)));
}

function users(m) {
  return h('table', {}, h('thead', {}, h('tr', {}, ['Name', 'Email', 'Status'].map((t) => h('th', {}, t)))), h('tbody', {}, m.users.map((u) => h('tr', {}, u.map((c) => h('td', {}, c))))));
}

function shell(m, title, ...content) {
  return h(
    'div',
    { style: 'font-family: var(--sl-font-sans)' },
    h('header', { style: 'display: flex; gap: 1rem; padding: 1rem' }, h('strong', {}, 'PingOne'), m.nav.map((n) => h('a', { href: '#' }, n))),
    m.noise.has('banner') && h('sl-alert', { variant: 'warning', open: true }, m.banner),
    h('div', { style: 'display: flex' }, h('nav', { style: 'width: 220px; padding: 1rem; display: flex; flex-direction: column; gap: .5rem', 'aria-label': 'Directory settings' }, m.side.map((s) => h('a', { href: '#' }, s))), h('main', { style: 'flex: 1; padding: 1.5rem' }, h('h1', {}, title), content)),
  );
}

function page(m) {
  if (m.page === 'users') return shell(m, 'Users', users(m));
  const content = [buttons(m), panel(m), noise(m)];
  switch (m.spec.pattern) {
    case 'modal':
      // The dialog's title is its `label`, drawn inside its shadow root.
      return h('div', {}, shell(m, 'Users', users(m)), h('sl-dialog', { label: m.heading, open: true, style: '--width: 50rem' }, content, h('sl-button', { slot: 'footer' }, 'Close')));
    case 'tabs':
      return shell(
        m,
        'Directory Settings',
        h(
          'sl-tab-group',
          {},
          h('sl-tab', { slot: 'nav', panel: 'attributes' }, 'Attributes'),
          h('sl-tab', { slot: 'nav', panel: 'credentials', active: true }, m.heading),
          h('sl-tab', { slot: 'nav', panel: 'policy' }, 'Password Policy'),
          h('sl-tab-panel', { name: 'attributes' }, 'Attributes'),
          h('sl-tab-panel', { name: 'credentials', active: true }, content),
          h('sl-tab-panel', { name: 'policy' }, 'Password policy'),
        ),
      );
    default:
      return shell(m, m.heading, content);
  }
}

/** Web components draw in a later frame: wait until every one has. */
async function settle(el) {
  const all = [el, ...el.querySelectorAll('*')].filter((e) => e.localName.startsWith('sl-'));
  await Promise.all(all.map((e) => customElements.whenDefined(e.localName).then(() => e.updateComplete)));
}

run({ draw: domDraw(page, settle) });
