// Dev mode (`pyb24 dev`): follows the emulator's event stream (GET /portal/dev/events).
// "reload": a file of the app was saved, so every app frame loads again (the portal page
// stays). "app-error": an app frame of this page had an uncaught Python exception; its
// traceback becomes an inspector row (the terminal shows it too).

import { addRow } from './portal-inspector.js';
import { findLayout, reloadFrames } from './portal-layouts.js';
import { config, portal } from './portal-state.js';

export function initDev() {
  if (!config.dev) return;
  // From the event numbered at render time on: nothing between render and connect is lost.
  const stream = new EventSource('/portal/dev/events?after=' + encodeURIComponent(config.dev.events));
  stream.addEventListener('reload', (event) => {
    const data = JSON.parse(event.data);
    portal.appReloads++;
    addRow({ seq: -1e9 - Number(event.lastEventId), t: Date.now(), row: (el, clock) => devRow(el, clock, 'reload', 'saved: ' + data.paths.join(', '), null) });
    reloadFrames();
  });
  stream.addEventListener('app-error', (event) => {
    const report = JSON.parse(event.data);
    const layout = findLayout(report.appSid);
    if (!layout) return; // another page's app
    portal.appErrors.push(report);
    addRow({ seq: -2e9 - Number(event.lastEventId), t: report.t, row: (el, clock) => devRow(el, clock, 'python-error', report.message, report.traceback, layout) });
  });
}

function devRow(el, clock, status, summary, text, layout) {
  const cells = [el('span', { className: 'b24-app-error-summary', text: summary })];
  const raw = text
    ? el('details', { className: 'b24-app-error', open: '' }, [el('summary', {}, cells), el('pre', { className: 'b24-traceback', text })])
    : cells[0];
  return el('tr', { className: 'b24-log-dev b24-log-' + status }, [
    el('td', { className: 'b24-dir', title: 'dev server', text: status === 'reload' ? '\u21bb' : '\u26a0' }),
    el('td', { className: 'b24-time', text: clock(Date.now()) }),
    el('td', { className: 'b24-cmd', text: layout ? layout.name : 'app' }),
    el('td', { className: 'b24-cb', text: '' }),
    el('td', {}, [el('span', { className: 'b24-status b24-status-' + status, text: status === 'reload' ? 'reload' : 'Python error' })]),
    el('td', { className: 'b24-raw' }, [raw]),
  ]);
}
