// A generated credentials page (tests/emulator/src/layouts.rs): fetches the spec for ?seed=&index=
// from the emulator and renders it in its delivery — at once, seconds after an in-app navigation,
// in a same-origin frame, in an open shadow root, or masked until Show. Everything is built with
// DOM calls. When the credentials are on screen, <html data-layout-rendered> says so ("masked"
// before Show, "done" after).
'use strict';

const ROUTE = '#/setup/directory/api-credentials';
const params = new URLSearchParams(location.search);

/** Builds a spec node (text, or {tag, attrs: [[name, value]], children}) in `doc`. */
function build(doc, node) {
  if (typeof node === 'string') return doc.createTextNode(node);
  const el = doc.createElement(node.tag);
  for (const [name, value] of node.attrs) el.setAttribute(name, value);
  for (const child of node.children) el.append(build(doc, child));
  return el;
}

class CredentialsPanel extends HTMLElement {}
customElements.define('kw-credentials', CredentialsPanel);

const view = document.getElementById('view');
const rendered = (state) => (document.documentElement.dataset.layoutRendered = state);

function heading(spec) {
  const h1 = document.createElement('h1');
  h1.textContent = spec.heading;
  return h1;
}

function show(spec) {
  view.replaceChildren(heading(spec));
  switch (spec.delivery) {
    case 'frame': {
      const frame = document.createElement('iframe');
      frame.title = 'Credentials';
      frame.style.cssText = 'width: 100%; height: 420px; border: 0';
      frame.addEventListener('load', () => {
        frame.contentDocument.body.append(build(frame.contentDocument, spec.panel));
        rendered('done');
      }, { once: true });
      frame.srcdoc = '<!doctype html><html><body></body></html>';
      view.append(frame);
      return;
    }
    case 'shadow': {
      const host = document.createElement('kw-credentials');
      host.attachShadow({ mode: 'open' }).append(build(document, spec.panel));
      view.append(host);
      rendered('done');
      return;
    }
    case 'masked_then_revealed': {
      const panel = build(document, spec.panel);
      const reveal = document.createElement('button');
      reveal.type = 'button';
      reveal.id = 'layout-reveal';
      reveal.textContent = 'Show';
      reveal.addEventListener('click', () => {
        panel.replaceWith(build(document, spec.revealed));
        reveal.remove();
        rendered('done');
      });
      view.append(panel, reveal);
      rendered('masked');
      return;
    }
    default:
      view.append(build(document, spec.panel));
      rendered('done');
  }
}

async function start() {
  const res = await fetch(`/_emulator/layout?seed=${encodeURIComponent(params.get('seed'))}&index=${encodeURIComponent(params.get('index'))}`);
  const spec = await res.json();
  if (spec.delivery !== 'late') return show(spec);
  // An in-app route: the dashboard first; the credentials come delay_ms after navigating there.
  const route = () => {
    if (location.hash !== ROUTE) {
      const link = document.createElement('a');
      link.href = ROUTE;
      link.id = 'layout-nav';
      link.textContent = 'API Credentials';
      const h1 = document.createElement('h1');
      h1.textContent = 'Dashboard';
      view.replaceChildren(h1, link);
      return;
    }
    const loading = document.createElement('p');
    loading.textContent = 'Loading…';
    view.replaceChildren(heading(spec), loading);
    // ?delay= overrides the spec's delay (a test of content that comes ten seconds late).
    setTimeout(() => show(spec), Number(params.get('delay') ?? spec.delay_ms));
  };
  window.addEventListener('hashchange', route);
  route();
}

start();
