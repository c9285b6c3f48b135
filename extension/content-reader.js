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
  const { send, page, schedule, reportNow, again, observed } = shared;

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
  // The helpers' closed shadow root (kept here: the page cannot reach it, we must).
  let hostRoot = null;
  // The renewal checklist's items the admin ticked on this page.
  const ticked = new Set();
  // The plan last applied: drawn again when the page re-renders and takes the helpers with it.
  let lastPlan = null;
  // Shadow roots and frame documents already watched, and the frames' documents among them.
  const watched = new WeakSet();
  const frameDocs = [];
  // The notice drawn on a page Keyward could not read, and what it said.
  let noticeHost = null;
  let noticeDrawn = '';
  // While the admin shows Keyward the fields: the prompt bar, the outline and the listeners.
  let teaching = null;

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
    if (root.defaultView && root !== document) frameDocs.push(root);
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
        if (label && buttons.length < RUST_SCRIPT_RULES.MAX_BUTTONS) buttons.push(label);
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
        child = blockContext(el, ctx, mark, nextId++);
        stack.push({ exit: true });
      } else {
        if (mark) child = { ...ctx, inline: [...(ctx.inline ?? []), mark] };
        // The seams of an inline element: where it starts now, where it ends once its content is
        // read. A link is a control of its own, never a piece of a value.
        const box = INLINE_BOX.has(style.display) || el.tagName === 'A' || role === 'link';
        seam(box || gap(style, 'Left') ? ' ' : SEAM);
        stack.push({ after: box || gap(style, 'Right') ? ' ' : SEAM });
      }
      const flat = flatChildren(el, child);
      if (!flat) continue;
      for (let i = flat.kids.length - 1; i >= 0; i--) stack.push({ node: flat.kids[i], ctx: flat.ctx });
    }
    flush();
    addLocated(items, found);
    return page(false, buttons, items);
  }

  /** The reading context of a block element's content: its place (an id in the path), its
   *  marks, and for a table cell its row and column. */
  function blockContext(el, ctx, mark, id) {
    const child = { ...ctx, path: [id, ...ctx.path].slice(0, MAX_PATH), tag: el.tagName.toLowerCase(), el, inline: [] };
    if (mark || (ctx.inline ?? []).length) child.marks = [...ctx.marks, ...(ctx.inline ?? []), ...(mark ? [mark] : [])];
    if (el.tagName === 'TABLE') child.table = id;
    if (el.tagName === 'THEAD') child.head = true;
    if ((el.tagName === 'TD' || el.tagName === 'TH') && child.table) {
      child.cell = { table: child.table, row: el.parentElement?.rowIndex ?? 0, col: el.cellIndex, head: el.tagName === 'TH' || ctx.head };
    }
    return child;
  }

  /** An element's children in the flat tree, and their context: a shadow root's content instead
   *  of the light children, a slot's assigned nodes, a same-origin frame's document (none for a
   *  frame that cannot be read). */
  function flatChildren(el, ctx) {
    if (el.shadowRoot) {
      watch(el.shadowRoot);
      return { kids: el.shadowRoot.childNodes, ctx: { ...ctx, marks: [...ctx.marks, 'shadow'] } };
    }
    if (el.tagName === 'SLOT') {
      const assigned = el.assignedNodes({ flatten: true });
      return { kids: assigned.length ? assigned : el.childNodes, ctx };
    }
    if (el.tagName === 'IFRAME') {
      let doc = null;
      try {
        doc = el.contentDocument;
      } catch {
        doc = null;
      }
      if (!doc?.body) return null;
      watch(doc);
      return { kids: [doc.body], ctx: { ...ctx, marks: [...ctx.marks, 'frame'] } };
    }
    return { kids: el.childNodes, ctx };
  }

  /** Where a taught layout points, after the page's items: what is there (marked `located`). */
  function addLocated(items, found) {
    for (const locator of (lastPlan?.locate ?? []).slice(0, 2)) {
      const el = resolve(locator);
      const { text, masked } = el ? shown(el) : { text: '', masked: false };
      items.push({ text, path: [], tag: '', cell: null, input: masked ? { kind: 'password', names: [] } : null, marks: el ? ['located'] : ['located', 'missing'] });
      found.push(el);
    }
  }

  /** What an element shows: a field's value (never a password field's), else its text. */
  function shown(el) {
    if (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') {
      const masked = (el.type || '').toLowerCase() === 'password';
      return { text: masked ? '' : clip(el.value), masked };
    }
    return { text: clip(flatText(el)), masked: false };
  }

  /** An element's place in the page: the tags from the document down to it, each with its index
   *  among its parent's children of that tag, through open shadow roots and same-origin frames. */
  function locatorOf(el) {
    const steps = [];
    let node = el;
    while (node && steps.length < RUST_SCRIPT_RULES.MAX_STEPS) {
      const parent = node.parentNode;
      if (!parent) break;
      if (parent.nodeType === 9) {
        steps.push(node.localName);
        const frame = parent.defaultView?.frameElement;
        if (!frame) break;
        steps.push('#frame');
        node = frame;
        continue;
      }
      let index = 0;
      for (let sib = node.previousElementSibling; sib; sib = sib.previousElementSibling) if (sib.localName === node.localName) index++;
      steps.push(`${node.localName}:${index}`);
      if (parent.nodeType === 11) {
        steps.push('#shadow');
        node = parent.host;
      } else node = parent;
    }
    return steps.reverse().join('>');
  }

  /** The element a locator names, if it is there. */
  function resolve(locator) {
    let node = document;
    for (const step of String(locator).split('>')) {
      if (step === '#shadow') node = node?.shadowRoot ?? null;
      else if (step === '#frame') {
        try {
          node = node?.contentDocument ?? null;
        } catch {
          node = null;
        }
      } else {
        const [tag, n = '0'] = step.split(':');
        if (node?.nodeType === 9) {
          node = node.documentElement?.localName === tag ? node.documentElement : null;
          continue;
        }
        let left = Number(n);
        let found = null;
        for (const child of node?.children ?? []) {
          if (child.localName === tag && left-- === 0) {
            found = child;
            break;
          }
        }
        node = found;
      }
      if (!node) return null;
    }
    return node?.nodeType === 1 ? node : null;
  }

  // The host's own look is important: between trees, an important declaration of the shadow tree
  // beats the page's, however specific, important or inline, so a page cannot hide, fade, shrink or
  // move the helpers by styling their host (its ancestors it can: a click checks what was seen).
  const STYLE = `
    :host { all: initial !important; display: block !important; visibility: visible !important; opacity: 1 !important;
      position: static !important; transform: none !important; filter: none !important; clip-path: none !important;
      mask: none !important; pointer-events: auto !important; margin: 6px 0 !important;
      font: 13px/1.4 system-ui, sans-serif !important; color: #1b1f24 !important; }
    .bar { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
    button { font: inherit; padding: 3px 10px; border-radius: 5px; border: 1px solid #0b5cad; background: #fff; color: #0b5cad; cursor: pointer; }
    button:hover { background: #eef5fc; }
    button:focus-visible { outline: 2px solid #0969da; outline-offset: 2px; }
    button[data-state=copied] { background: #0b5cad; color: #fff; }
    button[aria-disabled=true] { border-color: #8c959f; color: #57606a; cursor: not-allowed; }
    .note, .status { margin: 4px 0 0; color: #57606a; font-size: 12px; }
    .age { margin: 0 0 4px; font-weight: 600; }
    .age[data-level=due_soon], .age[data-level=unknown] { color: #9a6700; }
    .age[data-level=overdue] { color: #cf222e; }
    .brand { font-weight: 600; color: #0b5cad; margin-right: 4px; }
    .guard { margin: 0 0 6px; padding: 6px 10px; border-left: 3px solid #bf8700; background: #fff8e5; }
    .guard p { margin: 0 0 4px; font-weight: 600; }
    .guard ul { margin: 0; padding-left: 18px; list-style: none; }
    .guard .check { font-weight: 400; }
    .notice { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; padding: 6px 10px; border-left: 3px solid #0b5cad; background: #eef5fc; }
    .teach { position: fixed; top: 12px; left: 50%; transform: translateX(-50%); z-index: 2147483647; max-width: 560px; padding: 10px 14px; border-radius: 8px; background: #fff; box-shadow: 0 4px 18px rgba(0,0,0,.25); border: 2px solid #0b5cad; }
    .teach p { margin: 0 0 6px; }
    .teach .error { color: #cf222e; font-weight: 600; }
    .outline { position: fixed; z-index: 2147483646; pointer-events: none; outline: 3px solid #0969da; outline-offset: 1px; background: rgba(9,105,218,.08); display: none; }
  `;

  /** Draws the plan's helpers next to their anchor (or removes them): nothing when they are drawn
   *  already, as planned. */
  function apply(plan) {
    lastPlan = plan;
    drawNotice(plan?.notice);
    teach(plan?.teach);
    const helpers = plan?.helpers;
    const anchor = helpers ? anchors[helpers.anchor] : null;
    const wanted = JSON.stringify(helpers ?? null);
    if (host?.isConnected && wanted === drawn && anchor === drawnAt) return;
    if (!helpers && !host) return;
    // A keyboard user inside the helpers stays on the same helper when they are drawn again.
    const focused = hostRoot?.activeElement?.dataset?.what ?? null;
    const focusedRenewed = hostRoot?.activeElement?.dataset?.renewed === 'true';
    host?.remove();
    host = null;
    hostRoot = null;
    drawn = '';
    drawnAt = null;
    // The helpers live in the anchor's document (a same-origin frame's, maybe), while it is shown:
    // a frame the page has since removed keeps its document but has no window.
    const doc = anchor?.ownerDocument;
    if (!anchor?.isConnected || !doc?.defaultView) return;
    drawn = wanted;
    drawnAt = anchor;
    const el = maker(doc);
    const [made, root] = shadowHost(doc, 'data-keyward-helpers');
    host = made;
    hostRoot = root;
    const bar = el('div', { class: 'bar', role: 'group', 'aria-label': 'Keyward copy helpers' });
    bar.append(el('span', { class: 'brand' }, 'Keyward'));
    const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
    for (const { what, label, waits, renewed } of helpers.buttons) {
      // A helper that cannot act yet is shown disabled and, clicked, says why (never a silent no-op).
      const attrs = waits ? { 'aria-disabled': 'true', title: waits } : {};
      const button = el('button', { type: 'button', 'data-what': what, 'data-renewed': String(!!renewed), ...attrs }, label);
      button.addEventListener('click', async (event) => {
        event.stopPropagation();
        // Only the admin's own click copies: a page script cannot drive the helpers.
        if (!event.isTrusted) return;
        if (waits) {
          status.textContent = waits;
          return;
        }
        if (!seen(made, button, event)) {
          status.textContent = 'Keyward did not copy: something on the page hides or covers its helpers.';
          return;
        }
        const answer = await send(renewed ? { type: 'copy', what, renewed } : { type: 'copy', what });
        status.textContent = answer?.message ?? answer?.reason ?? 'Keyward could not copy.';
        if (answer?.type === 'copied') {
          button.dataset.state = 'copied';
          setTimeout(() => delete button.dataset.state, 2000);
        }
      });
      bar.append(button);
    }
    if (helpers.age) root.append(el('p', { class: 'age', 'data-level': helpers.age.level, role: 'status' }, helpers.age.text));
    if (helpers.guard) root.append(checklist(el, helpers.guard));
    root.append(bar, el('p', { class: 'note' }, helpers.note), status);
    if (anchor.matches('input, textarea')) anchor.after(host);
    else anchor.append(host);
    if (focused) root.querySelector(`button[data-what="${focused}"][data-renewed="${focusedRenewed}"]`)?.focus();
  }

  /** The checklist around a renewal. Ticks are the admin's marks on this page (kept across redraws
   *  by item); "Done" asks the worker to put the checklist away. */
  function checklist(el, guard) {
    const box = el('div', { class: 'guard', role: 'group', 'aria-label': 'Keyward renewal checklist' });
    box.append(el('p', {}, guard.title));
    if (guard.check) box.append(el('p', { class: 'check', role: 'status' }, guard.check));
    const list = el('ul');
    for (const item of guard.items) {
      const tick = el('input', { type: 'checkbox' });
      tick.checked = ticked.has(item);
      tick.addEventListener('change', () => (tick.checked ? ticked.add(item) : ticked.delete(item)));
      const label = el('label');
      label.append(tick, ` ${item}`);
      const row = el('li');
      row.append(label);
      list.append(row);
    }
    box.append(list);
    if (guard.dismissible) {
      const done = el('button', { type: 'button' }, 'Done');
      done.addEventListener('click', (event) => {
        event.stopPropagation();
        if (!event.isTrusted) return;
        ticked.clear();
        send({ type: 'checklist_done' });
      });
      box.append(done);
    }
    return box;
  }

  /** Whether the admin could see what they clicked: no ancestor of the helpers' host hides or
   *  fades it, and the host is what lies on top at the click's point (the button's middle for a
   *  key press), so a page cannot cover a helper with bait and have the click count. */
  function seen(host, button, event) {
    const view = host.ownerDocument.defaultView;
    let opacity = 1;
    for (let e = host.parentElement; e; e = e.parentElement) {
      const style = view.getComputedStyle(e);
      opacity *= Number(style.opacity);
      if (style.display === 'none' || opacity < 0.9) return false;
    }
    const box = button.getBoundingClientRect();
    const [x, y] = event.detail > 0 ? [event.clientX, event.clientY] : [box.left + box.width / 2, box.top + box.height / 2];
    // Asked of the tree the host is in (a page's shadow root, maybe), which answers in its terms.
    const scope = host.getRootNode();
    return (scope.elementFromPoint ? scope : host.ownerDocument).elementFromPoint(x, y) === host;
  }

  /** `el(tag, attributes, text)` in `doc`: text is set as text, never parsed. */
  function maker(doc) {
    return (tag, props = {}, text) => {
      const e = doc.createElement(tag);
      for (const [k, v] of Object.entries(props)) e.setAttribute(k, v);
      if (text !== undefined) e.textContent = text;
      return e;
    };
  }

  /** A host for what Keyward draws, and its closed shadow root with Keyward's style. A built-in
   *  element, not a custom one: a page that defined a custom element of our name could reach a
   *  closed shadow root through attachInternals(). The page cannot upgrade a <div>. */
  function shadowHost(doc, name) {
    const host = maker(doc)('div', { 'data-keyward': '', [name]: '' });
    const root = host.attachShadow({ mode: 'closed' });
    const sheet = new doc.defaultView.CSSStyleSheet();
    sheet.replaceSync(STYLE);
    root.adoptedStyleSheets = [sheet];
    return [host, root];
  }

  /** The line on a page Keyward could not read, with its offer to be shown the fields (or none). */
  function drawNotice(notice) {
    const wanted = JSON.stringify(notice ?? null);
    if (noticeHost?.isConnected && wanted === noticeDrawn) return;
    noticeHost?.remove();
    noticeHost = null;
    noticeDrawn = wanted;
    if (!notice) return;
    const anchor = notice.anchor === null || notice.anchor === undefined ? null : anchors[notice.anchor];
    const doc = anchor?.ownerDocument ?? document;
    const el = maker(doc);
    const [made, root] = shadowHost(doc, 'data-keyward-notice');
    const bar = el('div', { class: 'notice', role: 'note' });
    const show = el('button', { type: 'button' }, 'Show Keyward the fields');
    show.addEventListener('click', async (event) => {
      event.stopPropagation();
      if (!event.isTrusted) return;
      await send({ type: 'teach_start' });
      again();
    });
    bar.append(el('span', { class: 'brand' }, 'Keyward'), el('span', {}, notice.text), show);
    root.append(bar);
    noticeHost = made;
    if (anchor?.isConnected) anchor.after(made);
    else (document.body ?? document.documentElement).prepend(made);
  }

  /** Shows Keyward the fields: a prompt, an outline on what the pointer is over, and the admin's
   *  own click (never a script's) reported with the element's place and what it shows. Esc or
   *  Cancel stops. Without `step`, stops. */
  function teach(step) {
    if (!step) {
      if (teaching) {
        for (const [target, type, f] of teaching.listeners) target?.removeEventListener(type, f, true);
        teaching.host.remove();
        teaching = null;
      }
      return;
    }
    if (!teaching) {
      const el = maker(document);
      const [host, root] = shadowHost(document, 'data-keyward-teach');
      const bar = el('div', { class: 'teach', role: 'dialog', 'aria-label': 'Show Keyward the fields' });
      const prompt = el('p', { role: 'status' });
      const error = el('p', { class: 'error', role: 'alert' });
      const cancel = el('button', { type: 'button' }, 'Cancel');
      cancel.addEventListener('click', (event) => event.isTrusted && stop());
      bar.append(el('span', { class: 'brand' }, 'Keyward'), prompt, error, cancel);
      const outline = el('div', { class: 'outline' });
      root.append(bar, outline);
      document.documentElement.append(host);
      const target = (event) => {
        const t = event.composedPath?.()[0] ?? event.target;
        return t?.nodeType === 1 && !t.closest?.('[data-keyward]') && t !== host ? t : null;
      };
      const over = (event) => {
        const t = target(event);
        if (!t) return;
        const r = t.getBoundingClientRect();
        const frame = t.ownerDocument.defaultView?.frameElement?.getBoundingClientRect();
        Object.assign(outline.style, { display: 'block', left: `${r.left + (frame?.left ?? 0)}px`, top: `${r.top + (frame?.top ?? 0)}px`, width: `${r.width}px`, height: `${r.height}px` });
      };
      const click = async (event) => {
        const t = target(event);
        if (!t || !event.isTrusted) return;
        event.preventDefault();
        event.stopImmediatePropagation();
        await send({ type: 'teach_pick', locator: locatorOf(t), ...shown(t) });
        again();
      };
      const key = (event) => event.key === 'Escape' && event.isTrusted && stop();
      const stop = async () => {
        await send({ type: 'teach_cancel' });
        again();
      };
      teaching = { host, prompt, error, listeners: [] };
      // On the windows, in the capture phase: before the page's listeners and Keyward's own
      // report of page buttons, which a click here must not reach.
      for (const doc of [document, ...frameDocs]) {
        const win = doc.defaultView;
        for (const [type, f] of [['pointerover', over], ['click', click], ['keydown', key]]) {
          win?.addEventListener(type, f, true);
          teaching.listeners.push([win, type, f]);
        }
      }
    }
    teaching.prompt.textContent = step.prompt;
    teaching.error.textContent = step.error ?? '';
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
    const label = button && clip(button.tagName === 'INPUT' ? button.value : button.textContent).slice(0, RUST_SCRIPT_RULES.MAX_LABEL);
    if (!label) return;
    reportNow();
    send({ type: 'page_click', label });
  }

  document.addEventListener('click', onClick, true);
  shared.reader = { collect, apply, restore: () => lastPlan && apply(lastPlan) };
})();
