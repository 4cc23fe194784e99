// The protocol inspector: one row per frame message (portal.log), plus rows other parts add
// (REST exchanges, app errors, reloads) that are shown only, never part of portal.log.
// Also the "Fire placement event" tool above it.

import { EVENT_SAMPLES, PLACEMENTS } from './portal-placements.js';
import { banner, el, toast } from './portal-dom.js';
import { fireEvent, releaseEntry } from './portal-layouts.js';
import { config, portal, state } from './portal-state.js';

const MAX_ROWS = 500; // rendered inspector rows; portal.log itself keeps everything

const rows = new Map(); // seq -> tr
const pending = [];
let scheduled = false;
let seq = 0;

function clock(t) {
  const d = new Date(t);
  const pad = (n, w) => String(n).padStart(w || 2, '0');
  return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + '.' + pad(d.getMilliseconds(), 3);
}

function statusCell(entry) {
  const cell = el('td');
  const label = entry.status + (entry.released ? ' \u2192 released' : '');
  cell.appendChild(el('span', { className: 'b24-status b24-status-' + entry.status, text: label }));
  if (entry.status === 'held' && !entry.released) {
    cell.appendChild(el('button', {
      type: 'button', className: 'b24-release', text: 'Release',
      onclick: () => releaseEntry(entry),
    }));
  }
  if (entry.note) cell.appendChild(el('div', { className: 'b24-note', text: entry.note }));
  return cell;
}

function build(entry) {
  if (typeof entry.row === 'function') return entry.row(el, clock); // rows other parts add
  const main = state.mainLayout;
  return el('tr', { className: 'b24-log-' + entry.dir + ' b24-log-' + entry.status }, [
    el('td', { className: 'b24-dir', title: entry.dir === 'in' ? 'app \u2192 portal' : 'portal \u2192 app', text: entry.dir === 'in' ? '\u21e2' : '\u21e0' }),
    el('td', { className: 'b24-time', text: clock(entry.t) }),
    el('td', { className: 'b24-cmd' }, entry.layout && main && entry.layout !== main.name
      ? [entry.cmd, el('span', { className: 'b24-layout-tag', text: entry.layout })] : [entry.cmd]),
    el('td', { className: 'b24-cb', title: entry.cb, text: entry.cb.length > 10 ? entry.cb.slice(0, 8) + '\u2026' : entry.cb }),
    statusCell(entry),
    el('td', { className: 'b24-raw', title: entry.origin, text: entry.raw.length > 400 ? entry.raw.slice(0, 400) + '\u2026' : entry.raw }),
  ]);
}

function flush() {
  scheduled = false;
  const tbody = document.getElementById('inspector-rows');
  const scroller = document.getElementById('inspector-scroll');
  const stick = scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 4;
  // A burst (a benchmark) can log thousands of messages per frame: render only the tail.
  for (const entry of pending.splice(0).slice(-MAX_ROWS)) {
    const tr = build(entry);
    tr.dataset.seq = String(entry.seq);
    rows.set(entry.seq, tr);
    tbody.appendChild(tr);
  }
  while (tbody.rows.length > MAX_ROWS) {
    const first = tbody.rows[0];
    rows.delete(Number(first.dataset.seq));
    first.remove();
  }
  document.getElementById('inspector-count').textContent = String(portal.log.length);
  if (stick) scroller.scrollTop = scroller.scrollHeight;
}

function schedule() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(flush);
  setTimeout(() => { if (scheduled) flush(); }, 200); // background tabs skip rAF
}

// A row for the inspector only: {seq, t, row(el, clock) -> tr}. Other parts use negative or
// fractional seq numbers so they never collide with the frame messages'.
export function addRow(entry) {
  pending.push(entry);
  schedule();
}

export function updateRow(entry) {
  const tr = rows.get(entry.seq);
  if (tr) tr.replaceChild(statusCell(entry), tr.cells[4]);
}

// One frame-protocol message into portal.log and the inspector.
export function record(fields) {
  const entry = {
    seq: ++seq,
    dir: fields.dir,
    cmd: fields.cmd || '',
    cb: fields.cb || '',
    status: fields.status,
    raw: fields.raw || '',
    origin: fields.origin || '',
    layout: fields.layout || (state.mainLayout ? state.mainLayout.name : ''),
    t: Date.now(),
  };
  if (fields.note) entry.note = fields.note;
  portal.log.push(entry);
  addRow(entry);
  return entry;
}

export function note(entry, text) {
  entry.note = text;
  updateRow(entry);
}

// "Fire placement event": lets a developer play the portal's part in placement events.
let refreshTools = () => {};

export function refreshEventTools() {
  refreshTools();
}

export function initEventTools() {
  const box = document.getElementById('event-tools');
  const info = el('span', { className: 'b24-muted' });
  const events = (PLACEMENTS[config.placement] || { events: [] }).events;
  if (!events.length) {
    const text = config.error ? 'No application frame.' : 'Placement ' + config.placement + ' has no events to fire.';
    box.appendChild(el('span', { className: 'b24-muted', text }));
    return;
  }
  refreshTools = () => {
    const bound = [];
    for (const layout of state.layouts) {
      layout.bindings.forEach((replies, name) => bound.push(name + ' \u00d7' + replies.length));
    }
    info.textContent = bound.length ? 'bound: ' + bound.join(', ') : 'no event bound yet';
  };
  const select = el('select', { id: 'event-name' }, events.map((name) => el('option', { value: name, text: name })));
  const sample = () => {
    const value = EVENT_SAMPLES[select.value];
    return value === undefined ? '{}' : JSON.stringify(value);
  };
  const payload = el('input', { id: 'event-payload', type: 'text', value: '', 'aria-label': 'Event payload (JSON)' });
  payload.value = sample();
  select.addEventListener('change', () => { payload.value = sample(); });
  const fire = el('button', {
    type: 'button', id: 'event-fire', text: 'Fire placement event',
    onclick: () => {
      let value;
      try {
        value = payload.value.trim() ? JSON.parse(payload.value) : undefined;
      } catch (err) {
        banner('Event payload is not valid JSON: ' + err.message);
        return;
      }
      if (!fireEvent(select.value, value)) toast('Nobody is bound to ' + select.value);
    },
  });
  box.appendChild(el('label', {}, ['Event ', select]));
  box.appendChild(el('label', {}, ['Payload ', payload]));
  box.appendChild(fire);
  box.appendChild(info);
  refreshTools();
}
