// Building markup with DOM calls, for the kits that are markup and style sheets (Bootstrap) or
// web components (Shoelace, Carbon): `h(tag, attrs, ...children)`. Attributes starting with `.`
// are set as properties (a web component's `value`, say).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('.')) el[k.slice(1)] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return el;
}

/** `draw(container, model)` for a function that builds the page's element. `settle(el)` resolves
 *  once the kit has drawn it (web components render a frame later). */
export function domDraw(build, settle = async () => {}) {
  return async (container, m) => {
    const el = build(m);
    container.replaceChildren(el);
    await settle(el);
  };
}
