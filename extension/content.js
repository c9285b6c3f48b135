// Keyward content script: plain JS, no wasm (a strict page CSP would block it), no decisions.
// It reports the page it runs in to the worker, which decides what, if anything, to do.
(() => {
  'use strict';
  const report = () => {
    chrome.runtime.sendMessage({ type: 'page_seen', url: location.href }).catch(() => {
      // The worker may be restarting or the extension reloading; the next navigation reports again.
    });
  };
  report();
  window.addEventListener('hashchange', report);
})();
