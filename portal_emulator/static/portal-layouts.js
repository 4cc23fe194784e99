// Layouts and the wire: the parent side of the BX24 frame protocol (PROTOCOL.md §2.3-2.5,
// §9), with the newer applayout.js parent [P2] as the reference.
//
// Every app frame on the page is a *layout* (the real portal's AppLayout): its own APP_SID,
// tokens, placement and message listener (§2.4). The page starts with one; openApplication
// adds one per slider.

import { commandTable } from './portal-commands.js';
import { describe, mask } from './portal-mask.js';
import { note, record, refreshEventTools, updateRow } from './portal-inspector.js';
import { NO_PLACEMENT, PLACEMENTS } from './portal-placements.js';
import { config, denied, holdNames, portal, state } from './portal-state.js';

// The portal's page template creates every layout outside DEFAULT with these denied: they are
// dropped, never answered (PROTOCOL.md §8.27).
const DENIED_OUTSIDE_DEFAULT = new Set(['setTitle', 'setScroll', 'reloadWindow']);

// One AppLayout: an app frame with its APP_SID, tokens, placement, state and listener.
export function createLayout(opts) {
  const layout = {
    name: opts.name,
    appSid: opts.appSid,
    appOrigin: opts.appOrigin,
    appUrl: opts.appUrl,
    auth: { ...opts.auth },
    isAdmin: !!opts.isAdmin,
    install: !!opts.install,
    placement: opts.placement,
    placementOptions: opts.placementOptions || {},
    def: PLACEMENTS[opts.placement] || NO_PLACEMENT,
    state: {
      firstRun: !!opts.firstRun,
      userOptions: { ...opts.userOptions },
      appOptions: { ...opts.appOptions },
      fieldValue: (opts.placementOptions || {}).VALUE,
      autoClose: true,
    },
    bindings: new Map(), // event name -> [reply, ...]
    container: opts.container, // resizeWindow sizes this element
    titleNode: opts.titleNode, // setTitle writes here
    scroller: opts.scroller, // setScroll scrolls this (null: the window)
    slider: opts.slider || null,
    iframe: null,
    refreshChain: Promise.resolve(),
    appOptionQueue: [],
  };
  layout.commands = commandTable(layout);
  layout.onMessage = (event) => onMessage(layout, event);
  return layout;
}

// The listener first: BX24.js posts getInitData while its script is still running and
// never re-sends it (§9.7). Then the frame.
export function startLayout(layout) {
  window.addEventListener('message', layout.onMessage);
  state.layouts.push(layout);
  const iframe = document.createElement('iframe');
  iframe.name = location.host + '|' + (location.protocol === 'https:' ? 1 : 0) + '|' + layout.appSid;
  iframe.className = 'b24-app-frame';
  iframe.title = config.appName;
  if (layout === state.mainLayout) iframe.id = 'app-frame';
  layout.iframe = iframe;
  layout.container.appendChild(iframe);
  loadFrame(layout);
  refreshEventTools();
}

// The frame is loaded as applayout.js init loads it (PROTOCOL.md §1.1): a hidden form POSTed
// into it, DOMAIN/PROTOCOL/LANG/APP_SID in the query string (appUrl), the rest as the body in
// the portal's order (api-reference/widgets/_includes/widget_data.md), PLACEMENT_OPTIONS as
// JSON text; the DEFAULT placement with no options sends none (settings/oauth/simple-way.md).
// So the app's host must accept POST, as on a real portal.
function loadFrame(layout) {
  const form = document.createElement('form');
  form.method = 'POST';
  form.action = layout.appUrl;
  form.target = layout.iframe.name;
  form.hidden = true;
  const fields = {
    AUTH_ID: layout.auth.AUTH_ID,
    AUTH_EXPIRES: String(layout.auth.AUTH_EXPIRES),
    REFRESH_ID: layout.auth.REFRESH_ID,
    ...config.frameBody,
    PLACEMENT: layout.placement,
  };
  const options = layout.placementOptions || {};
  if (layout.placement !== 'DEFAULT' || Object.keys(options).length) {
    fields.PLACEMENT_OPTIONS = JSON.stringify(options);
  }
  for (const [name, value] of Object.entries(fields)) {
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value == null ? '' : String(value);
    form.appendChild(input);
  }
  document.body.appendChild(form);
  form.submit();
  form.remove();
}

// The frame goes away with its slider; its event subscriptions end with it (§3.19).
export function destroyLayout(layout) {
  window.removeEventListener('message', layout.onMessage);
  const index = state.layouts.indexOf(layout);
  if (index >= 0) state.layouts.splice(index, 1);
  layout.bindings.clear();
  if (layout.iframe) layout.iframe.remove();
  layout.iframe = null;
  refreshEventTools();
}

// Loads every app frame again from its first URL (dev mode: a file was saved). The layout
// stays: same APP_SID and tokens, as when a person reloads the frame; its subscriptions end.
export function reloadFrames() {
  for (const layout of state.layouts) {
    if (!layout.iframe) continue;
    layout.bindings.clear();
    loadFrame(layout);
  }
  refreshEventTools();
}

export function findLayout(appSid) {
  return state.layouts.find((l) => l.appSid === appSid) || null;
}

function knownOrigin(origin) {
  return state.layouts.some((l) => l.appOrigin === origin);
}

// Every layout hears every message; messages that are nobody's are logged once, by the
// page's own layout.
function onMessage(layout, event) {
  const page = layout === state.mainLayout;
  const data = event.data;
  if (data === 'pyb24-foreign-done') {
    if (!page) return;
    portal.foreignDone = true;
    record({ dir: 'in', status: 'foreign-origin', raw: data, origin: event.origin });
    return;
  }
  if (event.origin !== layout.appOrigin) {
    if (page && !knownOrigin(event.origin)) {
      record({ dir: 'in', status: 'foreign-origin', raw: describe(data), origin: event.origin });
    }
    return;
  }
  let cmd, cb, sid, params;
  let paramsText = null;
  if (typeof data === 'string') {
    // §2.3: first field / everything in the middle / last two.
    const parts = data.split(':');
    cmd = parts[0];
    paramsText = parts.slice(1, -2).join(':');
    cb = parts.length >= 2 ? parts[parts.length - 2] : '';
    sid = parts[parts.length - 1];
  } else if (data && typeof data === 'object' && typeof data.method === 'string') {
    // §2.2 object form: params used as-is (not JSON-parsed), falsy -> [].
    cmd = data.method;
    params = data.params ? data.params : [];
    cb = data.callback == null ? '' : String(data.callback);
    sid = data.appSid;
  } else {
    if (page) record({ dir: 'in', status: 'junk', raw: describe(data), origin: event.origin });
    return;
  }
  const entry = { dir: 'in', cmd, cb, raw: describe(data), origin: event.origin, layout: layout.name };
  if (sid !== layout.appSid) {
    // Another layout's message is that layout's business (§2.4).
    if (page && !findLayout(sid)) {
      entry.status = 'wrong-sid';
      record(entry);
    }
    return;
  }
  if (paramsText !== null) {
    if (paramsText === '') {
      params = [];
    } else {
      try {
        params = JSON.parse(paramsText);
      } catch (err) {
        entry.status = 'bad-json';
        record(entry);
        return;
      }
    }
  }
  if (denied.has(cmd) || (layout.placement !== 'DEFAULT' && DENIED_OUTSIDE_DEFAULT.has(cmd))) {
    entry.status = 'denied';
    record(entry);
    return;
  }
  const handler = layout.commands[cmd] || null;
  if (!handler) {
    entry.status = 'unknown';
    record(entry);
    return;
  }
  const reply = replier(layout, cmd, cb);
  if (holdNames.has(cmd)) {
    entry.status = 'held';
    const logged = record(entry);
    state.held.push({ entry: logged, run: () => invoke(handler, params, reply, logged, layout) });
    return;
  }
  entry.status = 'handled';
  invoke(handler, params, reply, record(entry), layout);
}

function invoke(handler, params, reply, entry, layout) {
  try {
    const result = handler(params, reply, entry, layout);
    if (result && typeof result.catch === 'function') {
      result.catch((err) => handlerFailed(entry, err));
    }
  } catch (err) {
    handlerFailed(entry, err);
  }
}

function handlerFailed(entry, err) {
  note(entry, 'handler error: ' + err);
  console.error('portal: handler for', entry.cmd, 'failed', err);
}

// Replies go to the layout's iframe element, only to the app origin, never to event.source
// (§2.5). A reply for a frame that is gone (its slider closed) is lost, as in the portal.
function replier(layout, cmd, cb) {
  return function reply(result) {
    if (!cb) return;
    const text = cb + ':' + (result === undefined ? '' : JSON.stringify(result));
    const target = layout.iframe && layout.iframe.contentWindow;
    const entry = { dir: 'out', cmd, cb, status: 'reply', raw: mask(text), origin: layout.appOrigin, layout: layout.name };
    if (!target) {
      entry.status = 'lost';
      entry.note = 'the frame is gone: nobody receives this reply';
      record(entry);
      return;
    }
    target.postMessage(text, layout.appOrigin);
    record(entry);
  };
}

// Runs held commands (all, or those named cmd); returns how many.
export function release(cmd) {
  let count = 0;
  for (const item of state.held.slice()) {
    if (cmd !== undefined && item.entry.cmd !== cmd) continue;
    runHeld(item);
    count++;
  }
  return count;
}

export function releaseEntry(entry) {
  const item = state.held.find((h) => h.entry === entry);
  if (item) runHeld(item);
}

function runHeld(item) {
  state.held.splice(state.held.indexOf(item), 1);
  item.entry.released = true;
  updateRow(item.entry);
  item.run();
}

// Plays the portal's part in a placement event: every layout bound to it hears it.
export function fireEvent(name, payload) {
  let count = 0;
  for (const layout of state.layouts) {
    for (const reply of layout.bindings.get(name) || []) {
      reply(payload);
      count++;
    }
  }
  return count;
}
