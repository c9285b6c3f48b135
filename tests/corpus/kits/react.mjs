// Drawing a model with a React kit: one root per container, redrawn in place (an in-app route
// change re-renders, as a single-page app does), resolved once React has committed.
import { createElement, useEffect } from 'react';
import { createRoot } from 'react-dom/client';

const roots = new WeakMap();

/** `draw(container, model)` for a React component `App({ m })`. */
export function reactDraw(App) {
  return (container, m) =>
    new Promise((resolve) => {
      let root = roots.get(container);
      if (!root) {
        root = createRoot(container);
        roots.set(container, root);
      }
      const Committed = () => {
        useEffect(() => resolve());
        return null;
      };
      root.render(createElement('div', null, createElement(App, { m, key: m.page }), createElement(Committed)));
    });
}

/** What a value's cell shows besides the value: a Show/Hide link, a muted note. */
export function extrasOf(m, row) {
  const out = [];
  if (row.field === 'apiKey' && m.noise.has('showhide')) out.push(m.masked ? 'Show' : 'Hide');
  if (row.field !== 'newKey' && m.noise.has('note')) out.push(m.note);
  return out;
}

/** The text a masked value shows. */
export const BULLETS = '••••••••••••••••••••';
