// Keyward's field reader: the part of the content script that reads a page's fields, reports the
// admin's clicks and draws the copy helpers. Plain JS, no decisions. The worker loads it
// (chrome.scripting) into the content script's isolated world only when a glance showed a page
// that may show the credential, and it registers itself on what content.js shares there. Clicks
// matter to the worker only on such pages (Edit, Renew, Save on the credential). Secrets never
// come back here: a copy button only names what to copy, and the worker writes the clipboard.
// A full read walks the page as it is drawn — open shadow roots and same-origin frames included —
// and sends it as items in document order: runs of text cut where the page starts a new block, and
// form fields with their accessible names.
(() => {
  'use strict';
  const shared = globalThis[Symbol.for('keyward.content')];
  // Loaded twice (a second request while the first was on its way): the first stays.
  if (!shared || shared.reader) return;
  const { send, page, schedule, reportNow, observed } = shared;

  // Reading limits: written into the shipped script at build time from their one source, `script`
  // in src/core/console/page.rs (the reader in Rust applies the same limits).
  const MAX_ITEMS = RUST_SCRIPT_RULES.MAX_ITEMS;
  const MAX_NODES = RUST_SCRIPT_RULES.MAX_NODES;
  const MAX_PATH = RUST_SCRIPT_RULES.MAX_PATH;
  const MAX_TEXT = RUST_SCRIPT_RULES.MAX_TEXT;

  // What is never text: scripts, media, controls (buttons are read as items of their own).
  const SKIP = new Set(['SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT', 'SELECT', 'OPTION', 'SVG', 'svg', 'IMG', 'CANVAS', 'VIDEO', 'AUDIO', 'OBJECT', 'EMBED']);
  // Displays that flow with their neighbours: text in them belongs to the run around them.
  const INLINE = new Set(['inline', 'inline-block', 'inline-flex', 'inline-grid', 'contents', 'ruby', 'ruby-text']);
  // Inline displays that draw a box of their own: a gap around them even without margins.
  const INLINE_BOX = new Set(['inline-block', 'inline-flex', 'inline-grid']);
  // Where an inline element starts or ends with no gap drawn there (U+001F, which Rust reads as
  // nothing in a label and as a seam in a value), or with one (a space).
  const SEAM = '\u001f';
  // What a page says about the text inside an element, as marks Rust reads.
  const MARKS = {
    PRE: 'pre', SAMP: 'pre', XMP: 'pre', LISTING: 'pre', ASIDE: 'aside', BLOCKQUOTE: 'aside', FIGURE: 'aside',
    FIGCAPTION: 'aside', DETAILS: 'aside', DEL: 'struck', S: 'struck', STRIKE: 'struck', INS: 'inserted',
  };
  const ROLE_MARKS = { note: 'help', tooltip: 'help', complementary: 'aside', heading: 'heading' };
  const BUTTON_ROLES = new Set(['button', 'tab']);
  const DIALOG_ROLES = new Set(['dialog', 'alertdialog']);

  // The elements of the last read's items, by index: a plan names its anchor by index.
  let anchors = [];
  // The helpers last drawn, and next to which element: an identical plan is not drawn again, so
  // a keyboard user's focus inside the helpers survives the page's own updates.
  let drawn = '';
  let drawnAt = null;
  let host = null;
  // The plan last applied: drawn again when the page re-renders and takes the helpers with it.
  let lastPlan = null;
  // Shadow roots and frame documents already watched.
  const watched = new WeakSet();

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

  /** Words separated by whitespace (an attribute's list of ids). */
  function words(value) {
    return clip(value).split(' ').filter(Boolean);
  }

  /** An element's text as drawn: its shadow root's instead of its light children, a slot's
   *  assigned nodes (a web component's button shows its label through a slot). */
  function flatText(el) {
    let out = '';
    const walk = (node) => {
      if (out.length >= MAX_TEXT) return;
      if (node.nodeType === 3) out += node.nodeValue;
      if (node.nodeType !== 1 || SKIP.has(node.tagName)) return;
      const slotted = node.tagName === 'SLOT' ? node.assignedNodes({ flatten: true }) : [];
      const kids = node.shadowRoot ? node.shadowRoot.childNodes : slotted.length ? slotted : node.childNodes;
      for (const kid of kids) walk(kid);
    };
    walk(el);
    return out;
  }

  /** Whether a page draws a gap on one side of an inline element (a margin, padding, a border). */
  function gap(style, side) {
    return parseFloat(style[`margin${side}`]) > 0 || parseFloat(style[`padding${side}`]) > 0 || parseFloat(style[`border${side}Width`]) > 0;
  }

  /** A form field's accessible names, as a screen reader would take them. */
  function names(input) {
    const out = [];
    const root = input.getRootNode();
    for (const id of words(input.getAttribute('aria-labelledby'))) {
      const label = root.getElementById?.(id) ?? input.ownerDocument.getElementById(id);
      if (label) out.push(clip(label.textContent));
    }
    for (const value of [input.getAttribute('aria-label')]) if (value) out.push(clip(value));
    for (const label of input.labels ?? []) out.push(clip(label.textContent));
    for (const value of [input.title, input.placeholder]) if (value) out.push(clip(value));
    return out;
  }

  /** Walk watch: late content inside a shadow root or a frame re-reads the page too. */
  function watch(root) {
    if (watched.has(root)) return;
    watched.add(root);
    new MutationObserver(schedule).observe(root, observed);
    if (root.defaultView) root.defaultView.addEventListener('hashchange', schedule);
    (root.defaultView ? root : root.ownerDocument)?.addEventListener?.('click', onClick, true);
  }

  /**
   * Reads the page as it is drawn, in document order. Each item: its text (a run cut where a new
   * block starts), the ids of the blocks around it (nearest first), its block's tag, a table cell's
   * place, a field's type and names, and marks. Also the visible buttons' labels.
   */
  function collect() {
    const items = [];
    const found = [];
    const buttons = [];
    anchors = found;
    let nextId = 1;
    let visited = 0;
    let run = null;
    // Elements that name a dialog (its aria-labelledby): read as headings.
    const titles = new Set();
    const flush = () => {
      // A run of spaces and seams alone (a shadow root's template whitespace) holds nothing.
      if (run && run.text.replaceAll(SEAM, '').trim() && items.length < MAX_ITEMS) {
        const { text, ctx, marks } = run;
        items.push({ text: clip(text), path: ctx.path, tag: ctx.tag, cell: ctx.cell, input: null, marks: [...marks] });
        found.push(ctx.el);
      }
      run = null;
    };
    const seam = (text) => {
      if (run) run.text += text;
    };
    const root = document.body ?? document.documentElement;
    if (!root) return page(false);
    const start = { path: [], tag: 'body', cell: null, table: 0, head: false, marks: [], el: root };
    const stack = [{ node: root, ctx: start }];
    while (stack.length && items.length < MAX_ITEMS && visited++ < MAX_NODES) {
      const { node, ctx, exit, after } = stack.pop();
      if (exit) {
        flush();
        continue;
      }
      if (after !== undefined) {
        seam(after);
        continue;
      }
      if (node.nodeType === 3) {
        if (!run) run = { text: '', ctx, marks: new Set(ctx.marks) };
        for (const m of ctx.inline ?? []) run.marks.add(m);
        run.text += node.nodeValue;
        continue;
      }
      if (node.nodeType !== 1 || SKIP.has(node.tagName) || node.hasAttribute('data-keyward')) continue;
      const el = node;
      const style = el.ownerDocument.defaultView?.getComputedStyle(el);
      if (!style || style.display === 'none' || style.visibility === 'hidden' || style.visibility === 'collapse') continue;
      const role = el.getAttribute('role');
      if (DIALOG_ROLES.has(role) || el.tagName === 'DIALOG') {
        const rootNode = el.getRootNode();
        for (const id of words(el.getAttribute('aria-labelledby'))) {
          const title = rootNode.getElementById?.(id);
          if (title) titles.add(title);
        }
      }
      const selected = el.getAttribute('aria-selected') === 'true';
      if (el.tagName === 'BUTTON' || BUTTON_ROLES.has(role) || (el.tagName === 'INPUT' && (el.type === 'button' || el.type === 'submit'))) {
        const label = clip(el.tagName === 'INPUT' ? el.value : flatText(el));
        if (label && buttons.length < 100) buttons.push(label);
        if (label) {
          flush();
          if (items.length < MAX_ITEMS) {
            const marks = [...ctx.marks, 'button', ...(selected && role === 'tab' ? ['heading'] : [])];
            items.push({ text: label, path: ctx.path, tag: ctx.tag, cell: ctx.cell, input: null, marks });
            found.push(el);
          }
        }
        continue;
      }
      if (el.tagName === 'BR') {
        flush();
        continue;
      }
      const mark = MARKS[el.tagName] ?? ROLE_MARKS[role] ?? (titles.has(el) ? 'heading' : undefined);
      if (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') {
        const type = el.tagName === 'TEXTAREA' ? 'textarea' : (el.type || 'text').toLowerCase();
        if (type === 'hidden' || type === 'checkbox' || type === 'radio' || type === 'file') continue;
        flush();
        if (items.length < MAX_ITEMS) {
          // A password field's value never leaves the page: the reader treats it as masked anyway.
          const text = type === 'password' ? '' : clip(el.value);
          const marks = mark ? [...ctx.marks, mark] : ctx.marks;
          items.push({ text, path: ctx.path, tag: ctx.tag, cell: ctx.cell, input: { kind: type, names: names(el) }, marks });
          found.push(el);
        }
        continue;
      }
      const block = !INLINE.has(style.display);
      let child = ctx;
      if (block) {
        flush();
        const id = nextId++;
        child = { ...ctx, path: [id, ...ctx.path].slice(0, MAX_PATH), tag: el.tagName.toLowerCase(), el, inline: [] };
        if (mark || (ctx.inline ?? []).length) child.marks = [...ctx.marks, ...(ctx.inline ?? []), ...(mark ? [mark] : [])];
        if (el.tagName === 'TABLE') child.table = id;
        if (el.tagName === 'THEAD') child.head = true;
        if ((el.tagName === 'TD' || el.tagName === 'TH') && child.table) {
          child.cell = { table: child.table, row: el.parentElement?.rowIndex ?? 0, col: el.cellIndex, head: el.tagName === 'TH' || ctx.head };
        }
        stack.push({ exit: true });
      } else {
        if (mark) child = { ...ctx, inline: [...(ctx.inline ?? []), mark] };
        // The seams of an inline element: where it starts now, where it ends once its content is
        // read. A link is a control of its own, never a piece of a value.
        const box = INLINE_BOX.has(style.display) || el.tagName === 'A' || role === 'link';
        seam(box || gap(style, 'Left') ? ' ' : SEAM);
        stack.push({ after: box || gap(style, 'Right') ? ' ' : SEAM });
      }
      // The flat tree: a shadow root's content instead of the light children, a slot's
      // assigned nodes, a same-origin frame's document.
      let kids = el.childNodes;
      if (el.shadowRoot) {
        watch(el.shadowRoot);
        kids = el.shadowRoot.childNodes;
        child = { ...child, marks: [...child.marks, 'shadow'] };
      } else if (el.tagName === 'SLOT') {
        const assigned = el.assignedNodes({ flatten: true });
        if (assigned.length) kids = assigned;
      } else if (el.tagName === 'IFRAME') {
        let doc = null;
        try {
          doc = el.contentDocument;
        } catch {
          doc = null;
        }
        if (!doc?.body) continue;
        watch(doc);
        kids = [doc.body];
        child = { ...child, marks: [...child.marks, 'frame'] };
      }
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ node: kids[i], ctx: child });
    }
    flush();
    return page(false, buttons, items);
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

  /** Draws the plan's helpers next to their anchor (or removes them): nothing when they are drawn
   *  already, as planned. */
  function apply(plan) {
    lastPlan = plan;
    const helpers = plan?.helpers;
    const anchor = helpers ? anchors[helpers.anchor] : null;
    const wanted = JSON.stringify(helpers ?? null);
    if (host?.isConnected && wanted === drawn && anchor === drawnAt) return;
    if (!helpers && !host) return;
    host?.remove();
    host = null;
    drawn = '';
    drawnAt = null;
    // The helpers live in the anchor's document (a same-origin frame's, maybe), while it is shown:
    // a frame the page has since removed keeps its document but has no window.
    const doc = anchor?.ownerDocument;
    if (!anchor?.isConnected || !doc?.defaultView) return;
    drawn = wanted;
    drawnAt = anchor;
    const el = (tag, props = {}, text) => {
      const e = doc.createElement(tag);
      for (const [k, v] of Object.entries(props)) e.setAttribute(k, v);
      if (text !== undefined) e.textContent = text;
      return e;
    };
    // A built-in element, not a custom one: a page that defined a custom element of our name could
    // reach a closed shadow root through attachInternals(). The page cannot upgrade a <div>.
    host = el('div', { 'data-keyward': '', 'data-keyward-helpers': '' });
    const root = host.attachShadow({ mode: 'closed' });
    const sheet = new doc.defaultView.CSSStyleSheet();
    sheet.replaceSync(STYLE);
    root.adoptedStyleSheets = [sheet];
    const bar = el('div', { class: 'bar', role: 'group', 'aria-label': 'Keyward copy helpers' });
    bar.append(el('span', { class: 'brand' }, 'Keyward'));
    const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
    for (const { what, label } of helpers.buttons) {
      const button = el('button', { type: 'button', 'data-what': what }, label);
      button.addEventListener('click', async (event) => {
        event.stopPropagation();
        // Only the admin's own click copies: a page script cannot drive the helpers.
        if (!event.isTrusted) return;
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

  // Button clicks (Edit, Renew, Save, Cancel…) tell the worker what the admin did. In a shadow
  // root the event is retargeted to its host: the first element of its path is the real target.
  function onClick(event) {
    // A click the page's scripts made up (element.click(), dispatchEvent) is no admin's action.
    if (!event.isTrusted) return;
    const target = event.composedPath?.()[0] ?? event.target;
    const view = target?.ownerDocument?.defaultView;
    if (!view || !(target instanceof view.Element) || target.closest('[data-keyward]')) return;
    const button = target.closest('button, [role=button], input[type=button], input[type=submit]');
    const label = button && clip(button.tagName === 'INPUT' ? button.value : button.textContent).slice(0, 80);
    if (!label) return;
    reportNow();
    send({ type: 'page_click', label });
  }

  document.addEventListener('click', onClick, true);
  shared.reader = { collect, apply, restore: () => lastPlan && apply(lastPlan) };
})();
