// Keyward popup: loads the wasm and lets Rust render. No decisions here.
// The slow asks start at once rather than one after the other: the wasm, the glue (a static import
// would start the wasm's fetch only once the glue had arrived), the active tab, and the worker's
// view of that tab (the same `tab_state` request Rust makes, answered while the wasm loads).
const wasm = fetch(new URL('pkg/keyward_bg.wasm', import.meta.url));
const glue = import('./pkg/keyward.js');
// A failed ask is caught here (not left as an unhandled rejection); when an answer gives Rust nothing
// to go on, Rust asks again itself.
const activeTabs = globalThis.chrome?.tabs?.query({ active: true, currentWindow: true }).catch(() => []);
const firstState = activeTabs
  ?.then(([tab]) => chrome.runtime.sendMessage({ type: 'tab_state', tab_id: tab?.id ?? -1 }))
  .catch(() => undefined);
const root = document.getElementById('app');

glue
  .then(async ({ default: init, render_popup }) => {
    await init({ module_or_path: wasm });
    await render_popup(root, activeTabs, firstState);
  })
  // For `make bench`: the moment the Rust-rendered screen is in place.
  .then(() => performance.mark('keyward:ready'))
  .catch((error) => {
    // Rust could not start: say so in plain text rather than leave a blank popup.
    root.textContent = `Keyward could not start: ${error instanceof Error ? error.message : String(error)}`;
    console.error('Keyward popup failed to start', error);
  });
