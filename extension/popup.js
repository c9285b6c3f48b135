// Keyward popup: loads the wasm and lets Rust render. No decisions here.
// The wasm, the glue and the active tab are asked for at once rather than one after the other (a
// static import would start the wasm's fetch only once the glue had arrived): each extension
// resource costs the popup's first screen a few milliseconds.
const wasm = fetch(new URL('pkg/keyward_bg.wasm', import.meta.url));
const glue = import('./pkg/keyward.js');
const activeTabs = globalThis.chrome?.tabs?.query({ active: true, currentWindow: true });
const root = document.getElementById('app');

glue
  .then(async ({ default: init, render_popup }) => {
    await init({ module_or_path: wasm });
    await render_popup(root, activeTabs);
  })
  // For `make bench`: the moment the Rust-rendered screen is in place.
  .then(() => performance.mark('keyward:ready'))
  .catch((error) => {
    // Rust could not start: say so in plain text rather than leave a blank popup.
    root.textContent = `Keyward could not start: ${error instanceof Error ? error.message : String(error)}`;
    console.error('Keyward popup failed to start', error);
  });
