// IBM's Carbon web components (open shadow roots): cds-text-input and cds-password-input read-only,
// structured lists, data tables (ARIA roles on custom elements), tiles, code snippets, modals,
// tabs, toggletips, lists and inline notifications.
import '@carbon/web-components/es/components/button/index.js';
import '@carbon/web-components/es/components/code-snippet/index.js';
import '@carbon/web-components/es/components/data-table/index.js';
import '@carbon/web-components/es/components/link/index.js';
import '@carbon/web-components/es/components/list/index.js';
import '@carbon/web-components/es/components/modal/index.js';
import '@carbon/web-components/es/components/notification/index.js';
import '@carbon/web-components/es/components/password-input/index.js';
import '@carbon/web-components/es/components/structured-list/index.js';
import '@carbon/web-components/es/components/tabs/index.js';
import '@carbon/web-components/es/components/text-input/index.js';
import '@carbon/web-components/es/components/tile/index.js';
import '@carbon/web-components/es/components/toggle-tip/index.js';
import { run } from '../runtime.mjs';
import { h, domDraw } from './dom.mjs';
import { BULLETS, extrasOf } from './react.mjs';

const shown = (row) => (row.masked ? BULLETS : row.value);
const mono = "font-family: 'IBM Plex Mono', monospace";

function extras(m, row) {
  return extrasOf(m, row).map((text) => (text === 'Show' || text === 'Hide' ? h('cds-link', { href: '#', style: 'margin-left: .5rem' }, text) : h('span', { style: 'margin-left: .5rem; color: #6f6f6f; font-size: 12px' }, text)));
}

function help(m, row) {
  if (row.field !== 'clientId' || !m.noise.has('help')) return null;
  return h('cds-toggletip', { open: true, alignment: 'right' }, h('p', { slot: 'body-text' }, m.help));
}

function valueOf(m, row) {
  return row.masked ? BULLETS : h('cds-code-snippet', { type: 'inline' }, row.value);
}

function fields(m) {
  return m.rows.map((row) =>
    h(
      'div',
      { style: 'display: flex; align-items: flex-end; gap: .5rem; margin-bottom: 1rem; max-width: 600px' },
      h(row.masked ? 'cds-password-input' : 'cds-text-input', {
        label: row.label,
        readonly: true,
        style: 'flex: 1',
        ...(m.fill ? { id: m.fillId(row.field) } : { '.value': row.value }),
      }),
      help(m, row),
      extras(m, row),
    ),
  );
}

function details(m) {
  return h(
    'cds-structured-list',
    {},
    h('cds-structured-list-body', {}, m.rows.map((row) => h('cds-structured-list-row', {}, h('cds-structured-list-cell', {}, row.label, help(m, row)), h('cds-structured-list-cell', { style: mono }, shown(row), extras(m, row))))),
  );
}

function table(m) {
  return h(
    'cds-table',
    { size: 'sm' },
    h('cds-table-head', {}, h('cds-table-header-row', {}, h('cds-table-header-cell', {}, 'Setting'), h('cds-table-header-cell', {}, 'Value'))),
    h('cds-table-body', {}, m.rows.map((row) => h('cds-table-row', {}, h('cds-table-cell', {}, row.label, help(m, row)), h('cds-table-cell', {}, valueOf(m, row), extras(m, row))))),
  );
}

function cards(m) {
  return h('div', { style: 'display: flex; gap: 1rem; flex-wrap: wrap' }, m.rows.map((row) => h('cds-tile', {}, h('h4', { style: mono }, shown(row)), h('p', { style: 'font-size: 12px' }, row.label), help(m, row), extras(m, row))));
}

function code(m) {
  return m.rows.map((row) =>
    h('div', { style: 'margin-bottom: 1rem' }, h('p', { style: 'font-size: 12px' }, row.label, help(m, row)), row.masked ? h('p', {}, BULLETS) : h('cds-code-snippet', { type: 'single' }, row.value), extras(m, row)),
  );
}

function columns(m) {
  return h(
    'div',
    { style: 'display: flex; gap: 3rem' },
    h('div', {}, m.rows.map((row) => h('p', { style: 'margin-bottom: 1rem' }, row.label, help(m, row)))),
    h('div', {}, m.rows.map((row) => h('p', { style: `margin-bottom: 1rem; ${mono}` }, shown(row), extras(m, row)))),
  );
}

function list(m) {
  return h('cds-unordered-list', {}, m.rows.map((row) => h('cds-list-item', {}, h('div', { style: mono }, shown(row)), h('div', { style: 'font-size: 12px' }, row.label), help(m, row))));
}

const PANELS = { fields, details, table, cards, code, columns, list };

function panel(m) {
  return (PANELS[m.spec.pattern] ?? (m.spec.inputs ? fields : details))(m);
}

function noise(m) {
  return h(
    'div',
    { style: 'margin-top: 1.5rem' },
    m.noise.has('oauth') && h('cds-inline-notification', { kind: 'info', title: 'Directory API only', subtitle: m.oauth, 'hide-close-button': true, open: true }),
    m.noise.has('regions') && [h('h4', {}, 'Directory API URLs'), h('cds-unordered-list', {}, m.regions.map((u) => h('cds-list-item', {}, u))), h('p', {}, 'The Directory API limits how fast a client may send requests.')],
    m.noise.has('curl') && [h('h4', {}, 'Example request'), h('cds-code-snippet', { type: 'multi' }, m.curl)],
    m.noise.has('activity') && [
      h('h4', {}, 'Recent API activity'),
      h(
        'cds-table',
        {},
        h('cds-table-head', {}, h('cds-table-header-row', {}, ['Time', 'Client ID', 'Request', 'Status'].map((t) => h('cds-table-header-cell', {}, t)))),
        h('cds-table-body', {}, m.activity.map((r) => h('cds-table-row', {}, r.map((c) => h('cds-table-cell', {}, c))))),
      ),
    ],
  );
}

function buttons(m) {
  return h('div', { style: 'display: flex; gap: .5rem; margin-bottom: 1rem' }, m.masked && h('cds-button', { kind: 'tertiary' }, 'Show'), m.buttons.map((b) => h('cds-button', { kind: b === 'Save' || b === 'Edit' ? 'primary' : 'secondary' }, b)));
}

function users(m) {
  return h(
    'cds-table',
    {},
    h('cds-table-head', {}, h('cds-table-header-row', {}, ['Name', 'Email', 'Status'].map((t) => h('cds-table-header-cell', {}, t)))),
    h('cds-table-body', {}, m.users.map((u) => h('cds-table-row', {}, u.map((c) => h('cds-table-cell', {}, c))))),
  );
}

function shell(m, title, ...content) {
  return h(
    'div',
    { style: "font-family: 'IBM Plex Sans', sans-serif" },
    h('header', { style: 'display: flex; gap: 1rem; padding: 1rem; background: #161616; color: #f4f4f4' }, h('strong', {}, 'PingOne'), m.nav.map((n) => h('cds-link', { href: '#' }, n))),
    m.noise.has('banner') && h('cds-inline-notification', { kind: 'warning', title: 'Maintenance', subtitle: m.banner, 'hide-close-button': true, open: true }),
    h('div', { style: 'display: flex' }, h('nav', { style: 'width: 220px; padding: 1rem', 'aria-label': 'Directory settings' }, m.side.map((s) => h('p', {}, h('cds-link', { href: '#' }, s)))), h('main', { style: 'flex: 1; padding: 1.5rem' }, h('h1', {}, title), content)),
  );
}

function page(m) {
  if (m.page === 'users') return shell(m, 'Users', users(m));
  const content = [buttons(m), panel(m), noise(m)];
  switch (m.spec.pattern) {
    case 'modal':
      return h(
        'div',
        {},
        shell(m, 'Users', users(m)),
        h(
          'cds-modal',
          { open: true, size: 'lg' },
          h('cds-modal-header', {}, h('cds-modal-close-button'), h('cds-modal-heading', {}, m.heading)),
          h('cds-modal-body', {}, content),
          h('cds-modal-footer', {}, h('cds-modal-footer-button', { kind: 'secondary' }, 'Close')),
        ),
      );
    case 'tabs':
      return shell(
        m,
        'Directory Settings',
        h(
          'cds-tabs',
          { '.selectedIndex': 1 },
          h('cds-tab', { id: 'tab-attributes', target: 'panel-attributes', value: 'attributes' }, 'Attributes'),
          h('cds-tab', { id: 'tab-credentials', target: 'panel-credentials', value: 'credentials' }, m.heading),
          h('cds-tab', { id: 'tab-policy', target: 'panel-policy', value: 'policy' }, 'Password Policy'),
        ),
        h('div', { id: 'panel-attributes', role: 'tabpanel', hidden: true }, 'Attributes'),
        h('div', { id: 'panel-credentials', role: 'tabpanel' }, content),
        h('div', { id: 'panel-policy', role: 'tabpanel', hidden: true }, 'Password policy'),
      );
    default:
      return shell(m, m.heading, content);
  }
}

async function settle(el) {
  const all = [el, ...el.querySelectorAll('*')].filter((e) => e.localName.startsWith('cds-'));
  await Promise.all(all.map((e) => customElements.whenDefined(e.localName).then(() => e.updateComplete)));
}

run({ draw: domDraw(page, settle) });
