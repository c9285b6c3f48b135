// Keyward export page: loads the wasm and lets Rust render and run the export. No decisions here.
import init, { render_export } from './pkg/keyward.js';

const root = document.getElementById('app');
init()
  .then(() => render_export(root))
  .catch((error) => {
    root.textContent = `Keyward export could not start: ${error instanceof Error ? error.message : String(error)}`;
    console.error('Keyward export failed to start', error);
  });
