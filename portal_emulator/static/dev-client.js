// The dev client: the one script the emulated portal's dev server adds to the app's HTML
// pages (`pyb24 dev`; never in a build). It reports the app's uncaught Python exceptions,
// traceback and all, to the emulator (POST /portal/dev/error on the app's own origin), which
// prints them in the terminal and shows them in the portal page's inspector.
//
// Where PyScript puts them: its error plugin writes every stderr text and every uncaught
// PythonError into the page as `.py-error` elements; an exception in a task nobody awaits
// ends as an unhandled promise rejection. Lines written in one burst are one report.

const appSid = (window.name.split('|')[2] || new URLSearchParams(location.search).get('APP_SID') || '');
const recent = new Set(); // texts reported lately: the same error seen twice is one report
let pending = [];
let timer = null;

function report(text) {
  const traceback = String(text || '').trim();
  if (!traceback || recent.has(traceback)) return;
  recent.add(traceback);
  setTimeout(() => recent.delete(traceback), 2000);
  fetch('/portal/dev/error', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ appSid, page: location.pathname, traceback }),
    keepalive: traceback.length < 60000,
  }).catch(() => { /* the dev server is gone: nothing to tell */ });
}

// One traceback, one report: texts written in one burst are joined, then cut where the next
// traceback starts; a text that another one contains (the same error seen as an event and
// as PyScript's error box) counts once.
function collect(text) {
  pending.push(String(text || '').replace(/^Uncaught PythonError: /, '').trim());
  clearTimeout(timer);
  timer = setTimeout(() => {
    const texts = pending.filter((t, i) => t && pending.indexOf(t) === i);
    pending = [];
    const joined = texts.filter((t) => !texts.some((other) => other !== t && other.includes(t))).join('\n');
    for (const one of joined.split(/\n(?=Traceback \(most recent call last\):)/)) report(one);
  }, 50);
}

function isPythonError(error) {
  return Boolean(error) && (error.name === 'PythonError' || error.type !== undefined && /Traceback/.test(error.message || ''));
}

new MutationObserver((mutations) => {
  for (const mutation of mutations) {
    for (const node of mutation.addedNodes) {
      if (node.nodeType === 1 && node.classList.contains('py-error')) collect(node.textContent);
    }
  }
}).observe(document.documentElement, { childList: true, subtree: true });

addEventListener('error', (event) => {
  if (isPythonError(event.error)) collect(event.error.message);
  else if (/^Uncaught PythonError/.test(event.message || '')) collect(event.message);
});

addEventListener('unhandledrejection', (event) => {
  if (isPythonError(event.reason)) collect(event.reason.message);
});
