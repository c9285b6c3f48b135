// Bootstrap 5 markup with its style sheet: form controls, dl.row, .table, .card, code boxes,
// .modal, .nav-tabs, grid columns, .list-group and popovers, as Bootstrap's docs write them.
import { run } from '../runtime.mjs';
import { h, domDraw } from './dom.mjs';
import { BULLETS, extrasOf } from './react.mjs';

const shown = (row) => (row.masked ? BULLETS : row.value);

function extras(m, row) {
  return extrasOf(m, row).map((text) =>
    text === 'Show' || text === 'Hide' ? h('a', { href: '#', class: 'ms-2 link-primary' }, text) : h('small', { class: 'ms-2 text-body-secondary' }, text),
  );
}

/** A popover as Bootstrap's script draws one: role=tooltip, after its trigger or at the body's end. */
function help(m, row) {
  if (row.field !== 'clientId' || !m.noise.has('help')) return null;
  const pop = h(
    'div',
    { class: 'popover bs-popover-auto fade show', role: 'tooltip', style: 'position: absolute; inset: 0 auto auto 0; transform: translate(180px, 120px)', 'data-popper-placement': 'right' },
    h('div', { class: 'popover-arrow' }),
    h('h3', { class: 'popover-header' }, 'Client ID'),
    h('div', { class: 'popover-body' }, m.help),
  );
  const trigger = h('button', { type: 'button', class: 'btn btn-link btn-sm p-0 ms-1', 'aria-label': 'About the Client ID', 'data-bs-toggle': 'popover' }, 'ⓘ');
  // Bootstrap appends popovers to the body unless told to keep them in a container.
  if (m.spec.index % 2) queueMicrotask(() => document.body.append(pop));
  else return [trigger, pop];
  return trigger;
}

function fields(m) {
  return m.rows.map((row) => {
    const id = m.fill ? m.fillId(row.field) : `f-${row.field}`;
    return h(
      'div',
      { class: 'mb-3' },
      h('label', { class: 'form-label', for: id }, row.label),
      help(m, row),
      h(
        'div',
        { class: 'input-group' },
        h('input', { class: 'form-control font-monospace', id, readonly: true, type: row.masked ? 'password' : 'text', value: m.fill ? null : row.value }),
        h('button', { class: 'btn btn-outline-secondary', type: 'button' }, 'Copy'),
      ),
      extras(m, row),
    );
  });
}

function details(m) {
  return h('dl', { class: 'row' }, m.rows.map((row) => [h('dt', { class: 'col-sm-3' }, row.label, help(m, row)), h('dd', { class: 'col-sm-9 font-monospace' }, shown(row), extras(m, row))]));
}

function table(m) {
  return h(
    'table',
    { class: 'table table-sm' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Setting'), h('th', { scope: 'col' }, 'Value'))),
    h('tbody', {}, m.rows.map((row) => h('tr', {}, h('th', { scope: 'row' }, row.label, help(m, row)), h('td', {}, h('code', {}, shown(row)), extras(m, row))))),
  );
}

function cards(m) {
  return h(
    'div',
    { class: 'row row-cols-2 g-3' },
    m.rows.map((row) =>
      h(
        'div',
        { class: 'col' },
        h('div', { class: 'card' }, h('div', { class: 'card-body' }, h('h5', { class: 'card-title font-monospace' }, shown(row)), h('p', { class: 'card-text' }, h('small', { class: 'text-body-secondary' }, row.label)), help(m, row), extras(m, row))),
      ),
    ),
  );
}

function code(m) {
  return m.rows.map((row) =>
    h(
      'div',
      { class: 'mb-3' },
      h('h6', {}, row.label, help(m, row)),
      h('div', { class: 'd-flex align-items-center bg-body-tertiary rounded p-2' }, h('code', { class: 'flex-grow-1' }, shown(row)), extras(m, row), h('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary' }, 'Copy')),
    ),
  );
}

function columns(m) {
  return h(
    'div',
    { class: 'row' },
    h('div', { class: 'col-auto' }, m.rows.map((row) => h('p', { class: 'text-body-secondary' }, row.label, help(m, row)))),
    h('div', { class: 'col' }, m.rows.map((row) => h('p', { class: 'font-monospace' }, shown(row), extras(m, row)))),
  );
}

function list(m) {
  return h(
    'ul',
    { class: 'list-group' },
    m.rows.map((row) =>
      h(
        'li',
        { class: 'list-group-item d-flex justify-content-between align-items-start' },
        h('div', { class: 'ms-2 me-auto' }, h('div', { class: 'fw-bold font-monospace' }, shown(row)), h('small', { class: 'text-body-secondary' }, row.label), help(m, row)),
        h('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary' }, 'Copy'),
      ),
    ),
  );
}

const PANELS = { fields, details, table, cards, code, columns, list };

function panel(m) {
  return (PANELS[m.spec.pattern] ?? (m.spec.inputs ? fields : details))(m);
}

function noise(m) {
  return h(
    'div',
    { class: 'mt-4' },
    m.noise.has('oauth') && h('div', { class: 'alert alert-info', role: 'alert' }, m.oauth),
    m.noise.has('regions') && [h('h6', {}, 'Directory API URLs'), h('ul', {}, m.regions.map((u) => h('li', {}, u))), h('p', {}, 'The Directory API limits how fast a client may send requests.')],
    m.noise.has('curl') && [h('h6', {}, 'Example request'), h('pre', { class: 'bg-body-tertiary p-2' }, h('code', {}, m.curl))],
    m.noise.has('activity') && [
      h('h6', {}, 'Recent API activity'),
      h('table', { class: 'table table-striped' }, h('thead', {}, h('tr', {}, ['Time', 'Client ID', 'Request', 'Status'].map((t) => h('th', {}, t)))), h('tbody', {}, m.activity.map((r) => h('tr', {}, r.map((c) => h('td', {}, c)))))),
    ],
  );
}

function buttons(m) {
  return h('div', { class: 'mb-3 d-flex gap-2' }, m.masked && h('button', { type: 'button', class: 'btn btn-outline-primary' }, 'Show'), m.buttons.map((b) => h('button', { type: 'button', class: `btn ${b === 'Save' || b === 'Edit' ? 'btn-primary' : 'btn-outline-secondary'}` }, b)));
}

function users(m) {
  return h('table', { class: 'table' }, h('thead', {}, h('tr', {}, ['Name', 'Email', 'Status'].map((t) => h('th', {}, t)))), h('tbody', {}, m.users.map((u) => h('tr', {}, u.map((c) => h('td', {}, c))))));
}

function shell(m, title, ...content) {
  return h(
    'div',
    {},
    h('nav', { class: 'navbar navbar-expand bg-body-tertiary' }, h('div', { class: 'container-fluid' }, h('a', { class: 'navbar-brand', href: '#' }, 'PingOne'), h('ul', { class: 'navbar-nav' }, m.nav.map((n) => h('li', { class: 'nav-item' }, h('a', { class: 'nav-link', href: '#' }, n)))))),
    m.noise.has('banner') && h('div', { class: 'alert alert-warning rounded-0 mb-0' }, m.banner),
    h(
      'div',
      { class: 'd-flex' },
      h('nav', { class: 'nav flex-column p-3', style: 'width: 220px', 'aria-label': 'Directory settings' }, m.side.map((s) => h('a', { class: 'nav-link', href: '#' }, s))),
      h('main', { class: 'p-4 flex-grow-1' }, h('h1', { class: 'h3' }, title), content),
    ),
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
          'div',
          { class: 'modal fade show d-block', tabindex: '-1', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'creds-title' },
          h('div', { class: 'modal-dialog modal-lg' }, h('div', { class: 'modal-content' }, h('div', { class: 'modal-header' }, h('h5', { class: 'modal-title', id: 'creds-title' }, m.heading), h('button', { type: 'button', class: 'btn-close', 'aria-label': 'Close' })), h('div', { class: 'modal-body' }, content))),
        ),
        h('div', { class: 'modal-backdrop fade show' }),
      );
    case 'tabs':
      return shell(
        m,
        'Directory Settings',
        h('ul', { class: 'nav nav-tabs', role: 'tablist' }, ['Attributes', m.heading, 'Password Policy'].map((t, i) => h('li', { class: 'nav-item', role: 'presentation' }, h('button', { class: `nav-link${i === 1 ? ' active' : ''}`, role: 'tab', type: 'button', 'aria-selected': String(i === 1) }, t)))),
        h('div', { class: 'tab-content pt-3' }, h('div', { class: 'tab-pane fade', role: 'tabpanel' }, 'Attributes'), h('div', { class: 'tab-pane fade show active', role: 'tabpanel' }, content)),
      );
    default:
      return shell(m, m.heading, content);
  }
}

run({ draw: domDraw(page) });
