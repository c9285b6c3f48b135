// Keyward's offscreen document: the clipboard for the service worker, which has none in MV3.
// It performs exactly the operation the worker asks for (write or read) and decides nothing:
// what to copy and whether to clear is decided in Rust. It obeys the worker alone: a content
// script shares Keyward's extension id but comes from a tab, and Keyward's other pages have URLs
// of their own; neither gets an answer, and nothing is done for them.
'use strict';

const WORKER_URL = chrome.runtime.getURL('background.js');

const area = document.getElementById('area');

function write(text) {
  if (text === '') {
    // Copying an empty textarea changes nothing; a copy handler can set an empty string.
    const onCopy = (event) => {
      event.clipboardData.setData('text/plain', '');
      event.preventDefault();
    };
    document.addEventListener('copy', onCopy, { once: true });
    return document.execCommand('copy');
  }
  area.value = text;
  area.select();
  const ok = document.execCommand('copy');
  area.value = '';
  return ok;
}

function read() {
  area.value = '';
  area.focus();
  document.execCommand('paste');
  const text = area.value;
  area.value = '';
  return text;
}

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  const fromWorker = sender.id === chrome.runtime.id && !sender.tab && sender.url === WORKER_URL;
  if (message?.target !== 'offscreen' || !fromWorker) return false;
  if (message.op === 'write') sendResponse({ ok: write(String(message.text ?? '')) });
  else if (message.op === 'read') sendResponse({ text: read() });
  else sendResponse({ ok: false });
  return false;
});
