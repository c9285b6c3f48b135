// Keyward service worker (Chrome) and background script (Firefox): wiring only.
// The wasm glue is imported statically; init() is kept as a promise that every listener awaits,
// because a top-level await would kill an MV3 service worker. Listeners are registered
// synchronously so that an event that wakes the worker is not missed.
import init, { handle_message } from './pkg/keyward.js';

const ready = init();

chrome.runtime.onMessage.addListener((request, sender, sendResponse) => {
  ready
    .then(() => sendResponse(handle_message(request, sender)))
    .catch((error) => {
      console.warn('Keyward: message failed:', error instanceof Error ? error.message : String(error));
      sendResponse({ type: 'refused', reason: 'internal error' });
    });
  return true; // the answer is sent asynchronously
});
