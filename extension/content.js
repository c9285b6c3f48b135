// Keyward content script: plain JS, no wasm (a strict page CSP would block it), no decisions.
// It sends the worker a compact snapshot of what the console page shows (headings, button labels,
// label/value pairs from tables, labelled inputs, definition lists and "Label: value" text), and
// applies the plan the worker returns: copy helpers in a closed shadow root. Secrets never come
// back here: a copy button only names what to copy, and the worker writes the clipboard.
// Reading fields is what costs the page's main thread, so until the worker asks for them it sends
// only a glance: the headings and the page's text.
(() => {
  'use strict';
  if (window.top !== window) return;

  const MAX_PAIRS = 200;
  const MAX_TEXT = 512;
  const MAX_PAGE_TEXT = 65536;
  const DEBOUNCE_MS = 120;
  const TEXT_ONLY_MS = 1000;
  const BUTTONS = 'button, [role=button], input[type=button], input[type=submit]';

  let anchors = [];
  let lastSent = '';
  let lastPlan = null;
  // The helpers last drawn, and next to which element: an identical plan is not drawn again, so
  // a keyboard user's focus inside the helpers survives the page's own updates.
  let drawn = '';
  let drawnAt = null;
  let host = null;
  let timer = 0;
  // The worker's word on this page: read its fields (or send a glance). And whether the last
  // snapshot sent was a glance.
  let fieldsWanted = false;
  let glanced = false;
  // The last glance sent: what it showed besides the text, and when.
  let glanceShown = '';
  let glanceAt = -Infinity;

  // JavaScript's \s by hand: a content script's first regular expression costs more than this scan.
  const isSpace = (c) =>
    c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;

  /** The text with each run of whitespace made one space, trimmed, at most MAX_TEXT long. */
  function clip(value) {
    const s = String(value ?? '');
    let out = '';
    let word = -1;
    for (let i = 0; i <= s.length && out.length < MAX_TEXT; i++) {
      const space = i === s.length || isSpace(s.charCodeAt(i));
      if (space && word >= 0) {
        out += (out ? ' ' : '') + s.slice(word, i);
        word = -1;
      } else if (!space && word < 0) word = i;
    }
    return out.slice(0, MAX_TEXT);
  }

  // Has a layout box (not display:none, nor inside one). checkVisibility answers that without
  // building a list of rectangles; getClientRects is the fallback.
  const rendered = (el) => (el.checkVisibility ? el.checkVisibility() : el.getClientRects().length > 0);
  const send = (message) => chrome.runtime.sendMessage(message).catch(() => null);

  const NOT_TEXT = 'button, script, style, template, [data-keyward]';

  function textOf(el) {
    if (el.closest(NOT_TEXT)) return '';
    // Most labels, cells and headings hold only text: read it at once.
    if (el.childElementCount === 0) return clip(el.textContent);
    // Otherwise walk the text nodes, one space between them (as the page shows separate elements),
    // skipping buttons, scripts and our own helpers. The walk is iterative (a hostile page may nest
    // deeply) and uses no TreeWalker: a filter callback per node, and the interfaces it touches
    // first, cost the page more than this loop.
    let out = '';
    let node = el.firstChild;
    while (node && out.length < MAX_TEXT) {
      if (node.nodeType === 3) out += `${node.nodeValue} `;
      let next = node.nodeType === 1 && !node.matches(NOT_TEXT) ? node.firstChild : null;
      while (!next && node !== el) {
        next = node.nextSibling;
        if (!next) node = node.parentNode;
      }
      node = next;
    }
    return clip(out);
  }

  /** What every snapshot carries: where, the headings, and the page's text (not clipped). */
  function page(glance, buttons = [], pairs = []) {
    const text = (document.body ?? document.documentElement)?.textContent ?? '';
    const headings = [];
    const found = document.querySelectorAll('h1, h2, h3, [role=heading]');
    for (let i = 0; i < found.length && i < 50; i++) {
      const heading = textOf(found[i]);
      if (heading) headings.push(heading);
    }
    return {
      url: location.href,
      title: clip(document.title),
      headings,
      buttons,
      pairs,
      text: text.slice(0, MAX_PAGE_TEXT),
      text_truncated: text.length > MAX_PAGE_TEXT,
      glance,
    };
  }

  function collect() {
    const pairs = [];
    const found = [];
    const add = (labelEl, valueEl) => {
      if (pairs.length >= MAX_PAIRS || !labelEl || !valueEl) return;
      const label = textOf(labelEl);
      if (!label || label.length > 80 || !rendered(valueEl)) return;
      const input = valueEl.matches('input, textarea') ? valueEl : valueEl.querySelector('input, textarea');
      pairs.push(input ? { label, value: clip(input.value), input_type: input.type || null } : { label, value: textOf(valueEl), input_type: null });
      found.push(input ?? valueEl);
    };
    for (const row of document.querySelectorAll('tr')) {
      const cells = row.querySelectorAll(':scope > th, :scope > td');
      if (cells.length >= 2) add(cells[0], cells[1]);
    }
    for (const label of document.querySelectorAll('label')) add(label, label.control);
    for (const term of document.querySelectorAll('dt')) {
      const definition = term.nextElementSibling;
      if (definition?.tagName === 'DD') add(term, definition);
    }
    for (const el of document.querySelectorAll('p, li, span, div')) {
      if (pairs.length >= MAX_PAIRS) break;
      if (el.childElementCount !== 0) continue;
      // "Label: value", the label 1 to 60 characters without a colon.
      const line = clip(el.textContent);
      const colon = line.indexOf(':');
      if (colon >= 1 && colon <= 60 && line[colon + 1] === ' ' && colon + 2 < line.length && rendered(el)) {
        pairs.push({ label: line.slice(0, colon), value: line.slice(colon + 2), input_type: null });
        found.push(el);
      }
    }
    const buttons = [...document.querySelectorAll(BUTTONS)]
      .filter(rendered)
      .slice(0, 100)
      .map((b) => clip(b.tagName === 'INPUT' ? b.value : b.textContent))
      .filter(Boolean);
    return { snapshot: page(false, buttons, pairs), found };
  }

  const STYLE = `
    :host { all: initial; display: block; margin: 6px 0; font: 13px/1.4 system-ui, sans-serif; color: #1b1f24; }
    .bar { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
    button { font: inherit; padding: 3px 10px; border-radius: 5px; border: 1px solid #0b5cad; background: #fff; color: #0b5cad; cursor: pointer; }
    button:hover { background: #eef5fc; }
    button:focus-visible { outline: 2px solid #0969da; outline-offset: 2px; }
    button[data-state=copied] { background: #0b5cad; color: #fff; }
    .note, .status { margin: 4px 0 0; color: #57606a; font-size: 12px; }
    .age { margin: 0 0 4px; font-weight: 600; }
    .age[data-level=due_soon] { color: #9a6700; }
    .age[data-level=overdue] { color: #cf222e; }
    .brand { font-weight: 600; color: #0b5cad; margin-right: 4px; }
    .guard { margin: 0 0 6px; padding: 6px 10px; border-left: 3px solid #bf8700; background: #fff8e5; }
    .guard p { margin: 0 0 4px; font-weight: 600; }
    .guard ul { margin: 0; padding-left: 18px; }
  `;

  function el(tag, props = {}, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function apply(plan) {
    const helpers = plan?.helpers;
    const anchor = helpers ? anchors[helpers.anchor] : null;
    const wanted = JSON.stringify(helpers ?? null);
    if (host?.isConnected && wanted === drawn && anchor === drawnAt) return;
    host?.remove();
    host = null;
    drawn = '';
    drawnAt = null;
    if (!anchor?.isConnected) return;
    drawn = wanted;
    drawnAt = anchor;
    host = el('keyward-helpers', { 'data-keyward': '' });
    const root = host.attachShadow({ mode: 'closed' });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
    root.adoptedStyleSheets = [sheet];
    const bar = el('div', { class: 'bar', role: 'group', 'aria-label': 'Keyward copy helpers' });
    bar.append(el('span', { class: 'brand' }, 'Keyward'));
    const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
    for (const { what, label } of helpers.buttons) {
      const button = el('button', { type: 'button', 'data-what': what }, label);
      button.addEventListener('click', async (event) => {
        event.stopPropagation();
        const answer = await send({ type: 'copy', what });
        status.textContent = answer?.message ?? answer?.reason ?? 'Keyward could not copy.';
        if (answer?.type === 'copied') {
          button.dataset.state = 'copied';
          setTimeout(() => delete button.dataset.state, 2000);
        }
      });
      bar.append(button);
    }
    if (helpers.age) root.append(el('p', { class: 'age', 'data-level': helpers.age.level, role: 'status' }, helpers.age.text));
    if (helpers.guard) {
      const guard = el('div', { class: 'guard', role: 'note' });
      const list = el('ul');
      for (const item of helpers.guard.items) list.append(el('li', {}, item));
      guard.append(el('p', {}, helpers.guard.title), list);
      root.append(guard);
    }
    root.append(bar, el('p', { class: 'note' }, helpers.note), status);
    if (anchor.matches('input, textarea')) anchor.after(host);
    else anchor.append(host);
  }

  async function report(full = false) {
    timer = 0;
    const { snapshot, found } = fieldsWanted || full ? collect() : { snapshot: page(true), found: [] };
    anchors = found;
    const text = JSON.stringify(snapshot);
    if (text === lastSent) {
      // The page re-rendered the same content and took our helpers with it: put them back.
      if (lastPlan && !host?.isConnected) apply(lastPlan);
      return;
    }
    if (snapshot.glance) {
      // A page whose text alone keeps changing (a clock, a counter) is glanced at most once a second,
      // rather than waking the worker on every tick.
      const shown = JSON.stringify([snapshot.url, snapshot.title, snapshot.headings]);
      const wait = glanceAt + TEXT_ONLY_MS - performance.now();
      if (shown === glanceShown && wait > 0) {
        if (!timer) timer = setTimeout(report, wait);
        return;
      }
      glanceShown = shown;
      glanceAt = performance.now();
    }
    lastSent = text;
    glanced = snapshot.glance;
    const plan = await send({ type: 'page_snapshot', snapshot });
    if (plan?.type !== 'page_plan') return;
    if (plan.fields && snapshot.glance) {
      // The page may show the credential: the worker asks for its fields before it judges.
      fieldsWanted = true;
      return report();
    }
    fieldsWanted = plan.fields === true;
    lastPlan = plan;
    // Most console pages get no helpers and have none to remove: nothing to apply.
    if (plan.helpers || host) apply(plan);
  }

  function schedule() {
    if (!timer) timer = setTimeout(report, DEBOUNCE_MS);
  }

  // Button clicks (Edit, Renew, Save, Cancel…) tell the worker what the admin did.
  document.addEventListener(
    'click',
    (event) => {
      const target = event.target;
      if (!(target instanceof Element) || target.closest('[data-keyward]')) return;
      const button = target.closest(BUTTONS);
      const label = button && clip(button.tagName === 'INPUT' ? button.value : button.textContent).slice(0, 80);
      if (!label) return;
      // Report what the page showed before this click first, fields and all, so the worker sees
      // events in order and judges the click on the page it was made on.
      if (timer || glanced) {
        clearTimeout(timer);
        report(true);
      }
      send({ type: 'page_click', label });
    },
    true,
  );

  // One observer, debounced; idle while nothing changes. SPA navigations swap the DOM or the hash.
  new MutationObserver(schedule).observe(document.documentElement, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
    attributeFilter: ['type', 'value', 'class', 'hidden', 'aria-hidden', 'style'],
  });
  window.addEventListener('hashchange', schedule);
  window.addEventListener('popstate', schedule);
  document.addEventListener('input', schedule, true);
  schedule();
})();
