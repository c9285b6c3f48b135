// Keyward content script: plain JS, no wasm (a strict page CSP would block it), no decisions.
// It runs on every console page, watches it, and sends the worker a glance at it: the address,
// the title, the first heading (the page's name) and the page's text, from which Rust judges
// whether the page may show the credential. Only then does the worker load the field reader
// (content-reader.js) beside this script: the full read, the admin's clicks and the copy helpers.
// Every console page pays for compiling and running this script, so it holds the glance alone:
// on this machine each kilobyte compiled costs a page about 0.1 ms, and so does each kind of DOM
// object first touched (a glance reads no `document.body`, the costliest of them). Text is sent
// as the page has it (whitespace and all, cut at the limits); Rust normalises it.
// The functions every glance runs are written in parentheses, `const f = (function f() {…})`:
// V8 then compiles them with the script, where a function compiled at its first call is parsed
// twice (skimmed with the script, then in full) and cost a glance about 0.5 ms more in all. The
// others (frames, headings past the first, the field reader's arrival) are compiled only if run.
// Content scripts run in the top frame only (the manifest asks for no other): same-origin frames
// are read from here.
(() => {
  'use strict';

  // Reading limits and timings: written into the shipped script at build time from their one
  // source, `script` in src/core/console/page.rs (the reader in Rust applies the same limits).
  const MAX_TEXT = RUST_SCRIPT_RULES.MAX_TEXT;
  const MAX_PAGE_TEXT = RUST_SCRIPT_RULES.MAX_PAGE_TEXT;
  const DEBOUNCE_MS = RUST_SCRIPT_RULES.DEBOUNCE_MS;
  const TEXT_ONLY_MS = RUST_SCRIPT_RULES.TEXT_ONLY_MS;

  const NOT_TEXT = 'button, script, style, template, [data-keyward]';
  const HEADINGS = 'h1, h2, h3, [role=heading]';

  // The last snapshot sent: a full read as its JSON, a glance as it is (compared field by field,
  // cheaper than JSON.stringify, whose first use costs a page more).
  let lastSent = null;
  // Reports sent so far: an answer is applied only if no later report went out meanwhile.
  let reports = 0;
  let timer = 0;
  // The worker's request to read the page again, even unchanged, after a while.
  let recheck = 0;
  // The worker's word on this page: read its fields (or send a glance). And whether the last
  // snapshot sent was a glance.
  let fieldsWanted = false;
  let glanced = false;
  // The last glance sent, and when.
  let lastGlance = null;
  let glanceAt = -Infinity;
  // The worker's answer to our request for the field reader, while it is pending or was granted.
  let readerAsked = null;
  // What the field reader uses of this script, and where it registers itself (`reader`): shared
  // in the extension's isolated world (which the page cannot see) when the reader is first asked for,
  // under a symbol (a page's element with an id would answer to a global name).
  let shared = null;

  const send = (function send(message) {
    return chrome.runtime.sendMessage(message).catch(() => null);
  });

  /** An element's text: its text nodes joined, one space between, buttons and our helpers left out. */
  const textOf = (function textOf(el) {
    if (el.closest(NOT_TEXT)) return '';
    return el.childElementCount === 0 ? el.textContent.slice(0, MAX_TEXT) : walkedText(el);
  });

  /** The text of an element with elements inside: its text nodes, walked. */
  function walkedText(el) {
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
    return out.slice(0, MAX_TEXT);
  }

  /**
   * The text of the page's body, read without `document.body` where the page allows: the first
   * body element a content script's world touches costs it about 0.2 ms (its interface is set up
   * there). The root's text is its head's, then the rest's; when the head is the root's first
   * node, the rest is what follows it.
   */
  const bodyText = (function bodyText() {
    const root = document.documentElement;
    const head = document.head;
    if (root && head && root.firstChild === head) return root.textContent.slice(head.textContent.length);
    return (document.body ?? root)?.textContent ?? '';
  });

  /** The text of the page's same-origin frames (others cannot be read, and are not ours to read). */
  function framesText() {
    let text = '';
    for (const frame of document.getElementsByTagName('iframe')) {
      try {
        const body = frame.contentDocument?.body;
        if (body) text += ` ${body.textContent}`;
      } catch {
        // A cross-origin frame.
      }
    }
    return text;
  }

  /** The page's headings with text: all of them (at most MAX_HEADINGS), or the first. */
  const headingsOf = (function headingsOf(all) {
    const first = !all && document.querySelector(HEADINGS);
    const heading = first ? textOf(first) : '';
    return heading.trim() ? [heading] : allHeadings(all);
  });

  /** The headings with text, all of them or until one is found. */
  function allHeadings(all) {
    const headings = [];
    const found = document.querySelectorAll(HEADINGS);
    for (let i = 0; i < found.length && i < RUST_SCRIPT_RULES.MAX_HEADINGS && (all || !headings.length); i++) {
      const text = textOf(found[i]);
      if (text.trim()) headings.push(text);
    }
    return headings;
  }

  /**
   * What every snapshot carries: where, the headings, and the page's text (not cut to MAX_TEXT),
   * its frames' included. A glance carries the first heading only: the page's name, all Rust takes
   * from a glance's headings (a heading that could say more is in the text, and a text that could
   * show the credential makes the worker ask for the fields).
   */
  const page = (function page(glance, buttons = [], items = []) {
    // `window.length` counts the page's frames: most pages have none, and skip the lookup.
    const text = bodyText() + (window.length ? framesText() : '');
    return {
      url: location.href,
      title: document.title.slice(0, MAX_TEXT),
      headings: headingsOf(!glance),
      buttons,
      items,
      text: text.slice(0, MAX_PAGE_TEXT),
      text_truncated: text.length > MAX_PAGE_TEXT,
      glance,
    };
  });

  /** Whether `last` is a glance that showed what `glance` shows besides the text: the same
   *  address, title and name (a glance carries one heading at most). */
  const sameShown = (function sameShown(last, glance) {
    return last?.glance === true && last.url === glance.url && last.title === glance.title && last.headings[0] === glance.headings[0];
  });

  /** The field reader, once the worker has loaded it (it registers itself on `shared`). */
  const reader = (function reader() {
    return shared?.reader;
  });

  /** Asks the worker for the field reader, after sharing with it what it uses of this script; a
   *  refusal (a browser that blocks it) is asked again on the next page change. */
  async function loadReader() {
    if (!shared) {
      shared = { send, page, schedule, reportNow, again: () => report(true, true), observed: OBSERVED, reader: null };
      globalThis[Symbol.for('keyward.content')] = shared;
    }
    readerAsked ??= send({ type: 'page_reader' });
    const answer = await readerAsked;
    if (answer?.type !== 'ack' || !reader()) readerAsked = null;
    return reader();
  }

  const report = (async function report(full = false, again = false) {
    timer = 0;
    const fields = fieldsWanted || full ? reader() : null;
    const snapshot = fields ? fields.collect() : page(true);
    const sent = snapshot.glance ? snapshot : JSON.stringify(snapshot);
    const unchanged = snapshot.glance
      ? sameShown(lastSent, snapshot) && lastSent.text === snapshot.text && lastSent.text_truncated === snapshot.text_truncated
      : sent === lastSent;
    if (unchanged && !again) {
      // The page re-rendered the same content and took our helpers with it: put them back.
      fields?.restore();
      return;
    }
    if (snapshot.glance) {
      // A page whose text alone keeps changing (a clock, a counter) is glanced at most once a second,
      // rather than waking the worker on every tick.
      const wait = glanceAt + TEXT_ONLY_MS - performance.now();
      if (sameShown(lastGlance, snapshot) && wait > 0) {
        if (!timer) timer = setTimeout(report, wait);
        return;
      }
      lastGlance = snapshot;
      glanceAt = performance.now();
    }
    lastSent = sent;
    glanced = snapshot.glance;
    // The answer to this report says whether to read again.
    clearTimeout(recheck);
    const asked = ++reports;
    const plan = await send({ type: 'page_snapshot', snapshot });
    // Answers can arrive out of order (a worker that wakes up answers its first message last): only
    // the answer to the latest report describes the page as it is now.
    if (asked !== reports || plan?.type !== 'page_plan') return;
    // The page may show the credential: the worker asks for its fields before it judges.
    if (plan.fields && snapshot.glance) return readFields(asked, plan);
    fieldsWanted = plan.fields === true;
    // Most console pages get no helpers and have none to remove: nothing to apply.
    reader()?.apply(plan);
    if (plan.recheck_ms > 0) recheck = setTimeout(() => report(true, true), plan.recheck_ms);
  });

  /** Reads the page's fields, for the worker that asked for them in its answer to report `asked`
   *  (`plan`: what to look for besides, such as a taught layout's places). */
  async function readFields(asked, plan) {
    fieldsWanted = true;
    const fields = await loadReader();
    if (!fields || asked !== reports) return;
    fields.apply(plan);
    return report();
  }

  const schedule = (function schedule() {
    if (!timer) timer = setTimeout(report, DEBOUNCE_MS);
  });

  /** Before a click is reported: what the page showed before it, fields and all, if not yet sent,
   *  so the worker sees events in order and judges the click on the page it was made on. */
  function reportNow() {
    if (timer || glanced) {
      clearTimeout(timer);
      report(true);
    }
  }

  // One observer, debounced; idle while nothing changes. SPA navigations swap the DOM or the hash.
  const OBSERVED = {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
    attributeFilter: ['type', 'value', 'class', 'hidden', 'aria-hidden', 'style'],
  };
  new MutationObserver(schedule).observe(document.documentElement, OBSERVED);
  window.addEventListener('hashchange', schedule);
  window.addEventListener('popstate', schedule);
  // The worker asks for a read now (the admin chose, in the popup, to show Keyward the fields).
  chrome.runtime.onMessage.addListener((message, sender, reply) => {
    if (sender.id !== chrome.runtime.id || sender.tab || message?.type !== 'read_again') return;
    fieldsWanted = true;
    loadReader().then((fields) => fields && report(true, true));
    reply({ type: 'ack' });
  });
  document.addEventListener('input', schedule, true);
  schedule();
})();
