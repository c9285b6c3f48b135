// Keyward options page: loads the wasm and lets Rust render and handle the form. No decisions here.
import init, { render_options } from './pkg/keyward.js';

const root = document.getElementById('app');
init()
  .then(() => render_options(root))
  .catch((error) => {
    root.textContent = `Keyward settings could not load: ${error instanceof Error ? error.message : String(error)}`;
    console.error('Keyward options failed to start', error);
  });
