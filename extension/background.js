// Keyward service worker (Chrome) and background script (Firefox): wiring only.
// The wasm glue is imported statically; init() is kept as a promise that every listener awaits,
// because a top-level await would kill an MV3 service worker. Listeners are registered
// synchronously so that an event that wakes the worker is not missed.
import init, {
  handle_alarm,
  handle_mailbox,
  handle_message,
  handle_notification,
  handle_settings_changed,
  worker_started,
} from './pkg/keyward.js';

const ready = init();

const describe = (error) => (error instanceof Error ? error.message : String(error));

// Every start: re-create the reminder alarm if it is gone and refresh the badge.
ready.then(() => worker_started()).catch((error) => console.warn('Keyward: start-up failed:', describe(error)));

chrome.runtime.onMessage.addListener((request, sender, sendResponse) => {
  // Messages for the offscreen document are not ours to answer.
  if (request?.target === 'offscreen') return false;
  ready
    .then(() => handle_message(request, sender))
    .then(sendResponse)
    .catch((error) => {
      console.warn('Keyward: message failed:', describe(error));
      sendResponse({ type: 'refused', reason: 'internal error' });
    });
  return true; // the answer is sent asynchronously
});

// Chrome's service worker: an export page announces its mailbox on the worker's own channel, where
// pages' bodies go as transferred bytes (Firefox's background page has no clients).
if (typeof ServiceWorkerGlobalScope === 'function' && self instanceof ServiceWorkerGlobalScope) {
  self.addEventListener('message', (event) => {
    ready.then(() => handle_mailbox(event.data, event.origin, event.source)).catch((error) => console.warn('Keyward: mailbox failed:', describe(error)));
  });
}

chrome.alarms.onAlarm.addListener((alarm) => {
  ready.then(() => handle_alarm(alarm.name)).catch((error) => console.warn('Keyward: alarm failed:', describe(error)));
});

// A policy change (new settings from the options page are announced on Keyward's own channel,
// which the worker listens to from its start).
const reloadSettings = () =>
  ready.then(() => handle_settings_changed()).catch((error) => console.warn('Keyward: settings reload failed:', describe(error)));
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'managed') reloadSettings();
});
// The clipboard read permission granted or taken back in Options: the clear's promise changes.
chrome.permissions.onAdded.addListener(reloadSettings);
chrome.permissions.onRemoved.addListener(reloadSettings);

chrome.notifications.onClicked.addListener((id) => {
  ready.then(() => handle_notification(id, -1)).catch((error) => console.warn('Keyward: notification failed:', describe(error)));
});
chrome.notifications.onButtonClicked?.addListener((id, index) => {
  ready.then(() => handle_notification(id, index)).catch((error) => console.warn('Keyward: notification failed:', describe(error)));
});
