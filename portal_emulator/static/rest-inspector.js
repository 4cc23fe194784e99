// REST in the protocol inspector: polls GET /portal/api/rest_log and shows each REST exchange
// of this page's lifetime as a row (method, HTTP status, masked request -> response summary;
// click the row to see both bodies). Adds a small REST panel: rate limit and plan, latency, operating time,
// churn, faults.

import { el } from './portal-dom.js';
import { addRow } from './portal-inspector.js';
import { portal } from './portal-state.js';

const POLL_MS = 700;
const pageStart = Math.floor(performance.timeOrigin || Date.now());
let after = 0;
let shown = 0;
portal.restLog = []; // the REST exchanges shown on this page (masked), for a curious person

function oneLine(text, limit) {
  let line = String(text || '').replace(/\s+/g, ' ').trim();
  return line.length > limit ? line.slice(0, limit) + '\u2026' : line;
}

function pretty(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch (err) {
    return text; // truncated or not JSON: as sent
  }
}

function rowFor(entry) {
  return function (el, clock) { // el: the page's element builder
    let ok = entry.status >= 200 && entry.status < 300;
    let label = entry.status === 0 ? 'dropped' : String(entry.status);
    if (entry.error !== null && entry.error !== undefined) label += ' ' + (entry.error === '' ? '""' : entry.error);
    let details = el('details', { className: 'b24-rest-details' }, [
      el('summary', {}, [
        el('span', { className: 'b24-rest-request', text: entry.http + ' ' + (oneLine(entry.request, 140) || '(no body)') }),
        el('span', { className: 'b24-rest-arrow', text: ' \u2192 ' }),
        el('span', { className: 'b24-rest-summary', text: entry.summary }),
      ]),
      el('div', { className: 'b24-rest-label', text: 'Request (tokens masked)' }),
      el('pre', { className: 'b24-rest-body', text: entry.request || '(empty)' }),
      el('div', { className: 'b24-rest-label', text: 'Response' }),
      el('pre', { className: 'b24-rest-body', text: entry.status === 0 ? '(none: connection closed)' : pretty(entry.response) }),
    ]);
    if (entry.note) details.appendChild(el('div', { className: 'b24-note', text: entry.note }));
    return el('tr', { className: 'b24-log-rest ' + (ok ? 'b24-rest-ok' : 'b24-rest-failed') }, [
      el('td', { className: 'b24-dir', title: 'REST over HTTP', text: '\u21c4' }),
      el('td', { className: 'b24-time', text: clock(entry.t) }),
      el('td', { className: 'b24-cmd', text: entry.method }),
      el('td', { className: 'b24-cb', title: 'duration', text: Math.round(entry.ms) + ' ms' }),
      el('td', {}, [el('span', { className: 'b24-status b24-status-rest' + (ok ? '' : '-error'), text: 'REST ' + label })]),
      el('td', { className: 'b24-raw' }, [details]),
    ]);
  };
}

function show(entry) {
  if (entry.t < pageStart - 1000) return; // exchanges of earlier pages are not this page's
  portal.restLog.push(entry);
  shown++;
  // Negative seq: REST rows never collide with the frame messages' seq numbers.
  addRow({ seq: -entry.seq, t: entry.t, row: rowFor(entry) });
}

function poll() {
  fetch('/portal/api/rest_log?after=' + after, { cache: 'no-store' })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) {
      if (!data) return;
      data.entries.forEach(function (entry) {
        after = Math.max(after, entry.seq);
        show(entry);
      });
      panel.update(data.config);
    })
    .catch(function () { /* the emulator is gone or restarting: try again later */ })
    .then(function () { setTimeout(poll, POLL_MS); });
}

// ---------------------------------------------------------------- REST panel

let panel = { update() {} };

function restPanel() {
  let anchor = document.getElementById('event-tools');
  if (!anchor) return { update: function () {} };
  let status = el('span', { className: 'b24-muted', id: 'rest-status' });
  let limit = el('input', { type: 'checkbox', id: 'rest-rate-limit' });
  let limitText = el('span', { text: ' rate limit (50, 2/s)' });
  let latency = el('input', { type: 'number', id: 'rest-latency', min: '0', step: '100', value: '0', 'aria-label': 'Latency in ms' });
  let plan = el('select', { id: 'rest-plan', 'aria-label': 'Plan' }, [
    el('option', { value: 'default', text: 'default plan' }),
    el('option', { value: 'enterprise', text: 'enterprise plan' }),
  ]);
  // Operating time: seconds each call adds; the portal blocks a method after 480 s in 10 min.
  let cost = el('input', { type: 'number', id: 'rest-operating-cost', min: '0', step: '60', value: '0', 'aria-label': 'Operating seconds added per call' });
  // Churn: deals/items added and deleted after every list page, as other users would.
  let churn = el('input', { type: 'number', id: 'rest-churn', min: '0', step: '1', value: '0', 'aria-label': 'Items added and deleted per list page' });
  function number(input) { return Math.max(0, parseInt(input.value, 10) || 0); }

  function send(body) {
    return fetch('/portal/api/rest_config', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), cache: 'no-store',
    }).then(function (response) { return response.json(); }).then(update, function () {});
  }

  function update(config) {
    if (!config || config.error) return;
    limit.checked = !!config.rate_limit;
    limitText.textContent = ' rate limit (' + config.burst + ', ' + config.drain_per_second + '/s)';
    plan.value = config.plan;
    if (document.activeElement !== latency) latency.value = String(config.latency_ms);
    if (document.activeElement !== cost) cost.value = String((config.operating_cost || {})['*'] || 0);
    if (document.activeElement !== churn) churn.value = String(Math.max.apply(null, config.churn || [0]));
    let faults = (config.faults || []).map(function (f) {
      return f.kind + (f.kind === 'fail' ? ' ' + f.status : '') + ' \u00d7' + f.remaining + (f.method ? ' (' + f.method + ')' : '');
    });
    status.textContent = shown + ' REST calls' + (faults.length ? '; queued: ' + faults.join(', ') : '') +
      (config.token_ttl ? '; new tokens live ' + config.token_ttl + ' s' : '');
  }

  limit.addEventListener('change', function () { send({ rate_limit: limit.checked }); });
  latency.addEventListener('change', function () { send({ latency_ms: number(latency) }); });
  plan.addEventListener('change', function () { send({ plan: plan.value }); });
  cost.addEventListener('change', function () { send({ operating_cost: number(cost) }); });
  churn.addEventListener('change', function () { send({ churn: number(churn) }); });
  function button(id, text, body) {
    return el('button', { type: 'button', id: id, text: text, onclick: function () { send(body); } });
  }
  let box = el('div', { className: 'b24-inspector-tools b24-rest-tools', id: 'rest-tools' }, [
    el('strong', { text: 'REST' }),
    el('label', {}, [limit, limitText]),
    plan,
    el('label', {}, ['latency ', latency, ' ms']),
    el('label', {}, ['operating ', cost, ' s a call']),
    el('label', {}, ['churn ', churn, ' a page']),
    button('rest-fail-next', 'Fail next (500)', { fail_next: { count: 1, status: 500 } }),
    button('rest-limit-next', 'Next: 503', { fail_next: { count: 1, status: 503 } }),
    button('rest-drop-next', 'Drop next', { drop_next: { count: 1 } }),
    button('rest-expire', 'Expire tokens', { expire_tokens: true }),
    status,
  ]);
  anchor.parentNode.insertBefore(box, anchor.nextSibling);
  return { update };
}

export function initRestInspector() {
  panel = restPanel();
  poll();
}
