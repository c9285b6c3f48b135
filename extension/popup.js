// Keyward popup: loads the wasm and lets Rust render. No decisions here.
import init, { render_popup } from './pkg/keyward.js';

const root = document.getElementById('app');
init()
  .then(() => render_popup(root))
  // For `make bench`: the moment the Rust-rendered screen is in place.
  .then(() => performance.mark('keyward:ready'))
  .catch((error) => {
    // Rust could not start: say so in plain text rather than leave a blank popup.
    root.textContent = `Keyward could not start: ${error instanceof Error ? error.message : String(error)}`;
    console.error('Keyward popup failed to start', error);
  });
