// The emulated portal page: the parent side of the BX24 frame protocol (PROTOCOL.md §2.3-2.5,
// §3, §9), with the newer applayout.js parent [P2] as the reference, plus developer tools
// (scenario form, protocol inspector, event trigger). Plain JS, no build step.
(function () {
  'use strict';

  var config = JSON.parse(document.getElementById('portal-config').textContent);

  // Placement-specific commands and bindable events. General commands are never listed by
  // getInterface (§3.18), so DEFAULT gets empty lists.
  var PLACEMENTS = {
    DEFAULT: { commands: [], events: [] },
    CRM_DEAL_DETAIL_TAB: { commands: ['reloadData'], events: [] },
    USERFIELD_TYPE: { commands: ['setValue', 'getValue'], events: [] },
    CALL_CARD: {
      commands: ['getStatus', 'disableAutoClose', 'enableAutoClose'],
      events: ['BackgroundCallCard::initialized', 'CallCard::CallStateChanged'],
    },
  };
  var OPEN_PATH = /^\/(crm\/(deal|lead|contact|company|type)|marketplace|company\/personal\/user\/[0-9]+|workgroups\/group\/[0-9]+)\//;
  var LATER_UI = 'UI arrives in a later issue';
  var MAX_ROWS = 500; // rendered inspector rows; portal.log itself keeps everything

  var placement = PLACEMENTS[config.placement] || { commands: [], events: [] };
  var denied = new Set(config.deny || []);
  var holdNames = new Set(config.hold || []);
  var appOrigin = config.appOrigin;
  var appSid = config.appSid;

  var state = {
    firstRun: !!config.firstRun,
    userOptions: Object.assign({}, config.userOptions),
    appOptions: Object.assign({}, config.appOptions),
    fieldValue: (config.placementOptions || {}).VALUE,
    autoClose: true,
  };

  var publicConfig = Object.assign({}, config);
  delete publicConfig.auth; // the live tokens are portal.auth; no stale copy beside them

  var held = []; // [{entry, run}]
  var bindings = new Map(); // event name -> [reply, ...]
  var sliders = [];
  var iframe = null;

  // The test API (names are a contract with the e2e suite).
  var portal = {
    log: [],
    auth: config.auth ? Object.assign({}, config.auth) : null,
    appSid: appSid,
    appOrigin: appOrigin,
    config: publicConfig,
    foreignDone: false,
    toasts: [],
    placementValue: state.fieldValue,
    release: release,
    fireEvent: fireEvent,
    closeSlider: closeSlider,
  };
  window.portal = portal;

  // ---------------------------------------------------------------- log and masking

  var seq = 0;
  var SECRET = 'AUTH_ID|REFRESH_ID|access_token|refresh_token|auth';
  var SECRET_JSON = new RegExp('("(?:' + SECRET + ')"\\s*:\\s*")((?:[^"\\\\]|\\\\.){0,4})(?:[^"\\\\]|\\\\.)*"', 'g');
  var SECRET_QUERY = new RegExp('(\\b(?:' + SECRET + ')=)([^&\\s"]{0,4})[^&\\s"]*', 'g');

  function mask(text) {
    return text.replace(SECRET_JSON, '$1$2\u2026"').replace(SECRET_QUERY, '$1$2\u2026');
  }

  function describe(data) {
    if (typeof data === 'string') return mask(data);
    try {
      var text = JSON.stringify(data);
      return mask(text === undefined ? String(data) : text);
    } catch (err) {
      return Object.prototype.toString.call(data);
    }
  }

  function record(fields) {
    var entry = {
      seq: ++seq,
      dir: fields.dir,
      cmd: fields.cmd || '',
      cb: fields.cb || '',
      status: fields.status,
      raw: fields.raw || '',
      origin: fields.origin || '',
      t: Date.now(),
    };
    if (fields.note) entry.note = fields.note;
    portal.log.push(entry);
    inspector.add(entry);
    return entry;
  }

  // ---------------------------------------------------------------- wire

  function onMessage(event) {
    var data = event.data;
    if (data === 'pyb24-foreign-done') {
      portal.foreignDone = true;
      record({ dir: 'in', status: 'foreign-origin', raw: data, origin: event.origin });
      return;
    }
    if (event.origin !== appOrigin) {
      record({ dir: 'in', status: 'foreign-origin', raw: describe(data), origin: event.origin });
      return;
    }
    var cmd, cb, sid, params, paramsText = null;
    if (typeof data === 'string') {
      // §2.3: first field / everything in the middle / last two.
      var parts = data.split(':');
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
      record({ dir: 'in', status: 'junk', raw: describe(data), origin: event.origin });
      return;
    }
    var entry = { dir: 'in', cmd: cmd, cb: cb, raw: describe(data), origin: event.origin };
    if (sid !== appSid) {
      entry.status = 'wrong-sid';
      record(entry);
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
    if (denied.has(cmd)) {
      entry.status = 'denied';
      record(entry);
      return;
    }
    var handler = Object.prototype.hasOwnProperty.call(commands, cmd) ? commands[cmd] : null;
    if (!handler) {
      entry.status = 'unknown';
      record(entry);
      return;
    }
    var reply = replier(cmd, cb);
    if (holdNames.has(cmd)) {
      entry.status = 'held';
      var logged = record(entry);
      held.push({ entry: logged, run: function () { invoke(handler, params, reply, logged); } });
      return;
    }
    entry.status = 'handled';
    invoke(handler, params, reply, record(entry));
  }

  function invoke(handler, params, reply, entry) {
    try {
      var result = handler(params, reply, entry);
      if (result && typeof result.catch === 'function') {
        result.catch(function (err) { handlerFailed(entry, err); });
      }
    } catch (err) {
      handlerFailed(entry, err);
    }
  }

  function handlerFailed(entry, err) {
    entry.note = 'handler error: ' + err;
    inspector.update(entry);
    console.error('portal: handler for', entry.cmd, 'failed', err);
  }

  // Replies go to the app iframe element, only to the app origin, never to event.source (§2.5).
  function replier(cmd, cb) {
    return function reply(result) {
      if (!cb) return;
      var text = cb + ':' + (result === undefined ? '' : JSON.stringify(result));
      iframe.contentWindow.postMessage(text, appOrigin);
      record({ dir: 'out', cmd: cmd, cb: cb, status: 'reply', raw: mask(text), origin: appOrigin });
    };
  }

  function release(cmd) {
    var count = 0;
    held.slice().forEach(function (item) {
      if (cmd !== undefined && item.entry.cmd !== cmd) return;
      held.splice(held.indexOf(item), 1);
      item.entry.released = true;
      inspector.update(item.entry);
      item.run();
      count++;
    });
    return count;
  }

  function fireEvent(name, payload) {
    var replies = bindings.get(name) || [];
    replies.forEach(function (reply) { reply(payload); });
    return replies.length;
  }

  // ---------------------------------------------------------------- commands

  function fields(args) {
    return args && typeof args === 'object' ? args : {};
  }

  // PHP serialises an empty associative array as [] (§8.16); so does this portal.
  function phpObject(value) {
    return value && typeof value === 'object' && Object.keys(value).length ? value : [];
  }

  function api(action, body) {
    var text = JSON.stringify(body);
    return fetch('/portal/api/' + action, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: text,
      cache: 'no-store',
      keepalive: text.length < 60000, // survives reloadWindow right after setUserOption
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        if (response.ok) return data;
        var detail = data ? data.error + ': ' + data.error_description : 'HTTP ' + response.status;
        throw new Error(detail);
      });
    });
  }

  function setAuth(data) {
    portal.auth = { AUTH_ID: data.AUTH_ID, REFRESH_ID: data.REFRESH_ID, AUTH_EXPIRES: data.AUTH_EXPIRES };
    scenarioPanel.refreshSummary();
  }

  // The real portal refreshes server-side per request, so two concurrent refreshAuth both
  // succeed; chaining them keeps that true although each refresh token here works once.
  var refreshChain = Promise.resolve();
  var appOptionQueue = [];

  var general = {
    getInitData: function (args, reply) {
      var data = {
        LANG: config.lang,
        DOMAIN: location.host,
        PROTOCOL: location.protocol === 'https:' ? 1 : 0,
        PATH: '/rest',
        AUTH_ID: portal.auth.AUTH_ID,
        AUTH_EXPIRES: portal.auth.AUTH_EXPIRES,
        REFRESH_ID: portal.auth.REFRESH_ID,
        MEMBER_ID: config.memberId,
        FIRST_RUN: state.firstRun,
        IS_ADMIN: !!config.isAdmin,
        INSTALL: !!config.install,
        USER_OPTIONS: phpObject(state.userOptions),
        APP_OPTIONS: phpObject(state.appOptions),
        PLACEMENT: config.placement,
        PLACEMENT_OPTIONS: phpObject(config.placementOptions),
      };
      state.firstRun = false; // one-shot per layout (§8.15)
      reply(data);
    },

    refreshAuth: function (args, reply) {
      refreshChain = refreshChain.then(function () {
        return api('refresh', { app_sid: appSid, refresh_token: portal.auth.REFRESH_ID }).then(
          function (fresh) {
            setAuth(fresh);
            reply({ AUTH_ID: fresh.AUTH_ID, AUTH_EXPIRES: fresh.AUTH_EXPIRES, REFRESH_ID: fresh.REFRESH_ID });
          },
          function (err) {
            // The real portal alert()s and never replies (§3.2).
            banner('Unable to get new token! Reload page, please! (' + err.message + ')');
          });
      });
    },

    setInstall: function (args, reply) {
      return api('install', { app_sid: appSid, install: !!fields(args).install }).then(
        function () { reply(args); },
        function (err) { banner('setInstall failed: ' + err.message); });
    },

    setInstallFinish: function (args) {
      var value = fields(args).value;
      var v = value === undefined || value !== false ? 'Y' : 'N';
      return api('installed', { app_sid: appSid, v: v }).then(function () {
        var url = new URL(location.href);
        url.searchParams.delete('install');
        url.searchParams.delete('first_run');
        url.searchParams.set('install_finished', v);
        location.href = url.toString();
      }, function (err) { banner('setInstallFinish failed: ' + err.message); });
    },

    setUserOption: function (args, reply) {
      var a = fields(args);
      var echo = { name: a.name, value: a.value };
      if (typeof a.name !== 'string' || !a.name) {
        reply(echo);
        return;
      }
      state.userOptions[a.name] = a.value;
      return api('user_option', { app_sid: appSid, name: a.name, value: a.value === undefined ? null : a.value })
        .catch(function (err) { banner('setUserOption failed: ' + err.message); })
        .then(function () { reply(echo); });
    },

    setAppOption: function (args, reply, entry) {
      if (!config.isAdmin) {
        entry.note = 'not an admin: ignored, no reply';
        inspector.update(entry);
        return;
      }
      var a = fields(args);
      if (typeof a.name !== 'string' || !a.name) {
        entry.note = 'no option name: ignored';
        inspector.update(entry);
        return;
      }
      // One save for everything queued in the same tick; every caller gets the result.
      // The layout's own APP_OPTIONS copy is deliberately left stale (§3.6).
      appOptionQueue.push({ name: a.name, value: a.value === undefined ? null : a.value, reply: reply });
      if (appOptionQueue.length === 1) setTimeout(flushAppOptions, 0);
    },

    resizeWindow: function (args, reply) {
      var a = fields(args);
      var width = a.width == '100%' ? '100%' : ((parseInt(a.width, 10) || 100) + 'px'); // eslint-disable-line eqeqeq
      var height = parseInt(a.height, 10);
      var container = document.getElementById('app-container');
      if (width) container.style.width = width;
      if (height) container.style.height = height + 'px';
      var box = container.getBoundingClientRect();
      reply({ width: Math.round(box.width), height: Math.round(box.height) });
    },

    reloadWindow: function () {
      location.reload();
    },

    setTitle: function (args, reply) {
      var title = fields(args).title;
      document.getElementById('pagetitle').textContent = title === undefined || title === null ? '' : String(title);
      reply(args);
    },

    setScroll: function (args, reply) {
      var scroll = fields(args).scroll;
      if (scroll !== undefined && scroll !== null && scroll >= 0) window.scrollTo(window.scrollX, Number(scroll));
      reply(args);
    },

    imCallTo: function (args) {
      var a = fields(args);
      toast((a.video ? 'Video call to ' : 'Calling ') + userLabel(a.userId));
    },
    imPhoneTo: function (args) {
      toast('Calling phone number ' + fields(args).phone);
    },
    imOpenMessenger: function (args) {
      toast('Opening chat ' + dialogLabel(fields(args).dialogId));
    },
    imOpenHistory: function (args) {
      toast('Opening chat history ' + dialogLabel(fields(args).dialogId));
    },

    getInterface: function (args, reply) {
      reply({
        command: placement.commands.filter(function (name) { return !denied.has(name); }),
        event: placement.events.slice(),
      });
    },

    openPath: function (args, reply) {
      var path = fields(args).path;
      if (typeof path !== 'string' || !OPEN_PATH.test(path)) {
        reply({ result: 'error', errorCode: 'PATH_NOT_AVAILABLE' });
        return;
      }
      var url = path + (path.indexOf('?') >= 0 ? '&' : '?') +
        'from=rest_placement&from_app=' + encodeURIComponent(config.appCode);
      openSlider(url, function () { reply({ result: 'close' }); });
    },

    // Dialogs: accepted, shown as "not yet", and never answered — like a cancelled dialog.
    selectUser: later,
    selectAccess: later,
    selectCRM: later,
    openApplication: later,
    closeApplication: later,
  };

  function later(args, reply, entry) {
    entry.note = LATER_UI;
    inspector.update(entry);
    toast(entry.cmd + ': ' + LATER_UI);
  }

  function flushAppOptions() {
    var batch = appOptionQueue;
    appOptionQueue = [];
    var options = batch.map(function (item) { return { name: item.name, value: item.value }; });
    api('app_options', { app_sid: appSid, options: options }).then(function (all) {
      batch.forEach(function (item) { item.reply(all); });
    }, function (err) {
      banner('setAppOption failed: ' + err.message);
    });
  }

  var placementCommands = {
    reloadData: function (args, reply) {
      toast('Deal card reloaded');
      reply([]);
    },
    setValue: function (args, reply) {
      // The bare parsed value (§3.20), not an object around it.
      state.fieldValue = args;
      portal.placementValue = args;
      scenarioPanel.refreshSummary();
      reply([]);
    },
    getValue: function (args, reply) {
      reply(state.fieldValue);
    },
    getStatus: function (args, reply) {
      // Shape not documented; the emulator answers the call's placement options.
      reply(Object.assign({}, config.placementOptions, { AUTO_CLOSE: state.autoClose }));
    },
    disableAutoClose: function (args, reply) {
      state.autoClose = false;
      reply([]);
    },
    enableAutoClose: function (args, reply) {
      state.autoClose = true;
      reply([]);
    },
  };

  function placementBindEvent(args, reply, entry) {
    var name = fields(args).event;
    if (placement.events.indexOf(name) < 0) {
      entry.note = 'unknown event: ignored';
      inspector.update(entry);
      return;
    }
    if (!bindings.has(name)) bindings.set(name, []);
    bindings.get(name).push(reply);
    eventTools.refresh();
  }

  // The whitelist: an object without a prototype, so "constructor" or "toString" are unknown.
  var commands = Object.create(null);
  Object.keys(general).forEach(function (name) { commands[name] = general[name]; });
  if (config.placement !== 'DEFAULT') commands.placementBindEvent = placementBindEvent;
  placement.commands.forEach(function (name) { commands[name] = placementCommands[name]; });

  // ---------------------------------------------------------------- portal UI

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === 'text') node.textContent = attrs[key];
      else if (key === 'className') node.className = attrs[key];
      else if (key.slice(0, 2) === 'on') node.addEventListener(key.slice(2), attrs[key]);
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function banner(text, kind) {
    var line = el('div', { className: 'b24-banner b24-banner-' + (kind || 'error'), text: text });
    document.getElementById('portal-banner').appendChild(line);
  }

  function toast(text) {
    portal.toasts.push(text);
    var node = el('div', { className: 'b24-toast', text: text });
    document.getElementById('toasts').appendChild(node);
    setTimeout(function () { node.classList.add('b24-toast-out'); }, 3500);
    setTimeout(function () { node.remove(); }, 4000);
  }

  function userLabel(id) {
    var user = (config.users || []).filter(function (u) { return String(u.id) === String(id); })[0];
    return user ? user.fullName : 'user ' + id;
  }

  function dialogLabel(dialogId) {
    var text = String(dialogId);
    return /^\d+$/.test(text) ? 'with ' + userLabel(text) : text;
  }

  function openSlider(url, onClose) {
    var closeButton = el('button', { type: 'button', className: 'b24-slider-close', 'aria-label': 'Close', text: '\u00d7' });
    var panel = el('div', { className: 'b24-slider' }, [
      el('div', { className: 'b24-slider-header' }, [el('span', { className: 'b24-slider-title', text: url }), closeButton]),
      el('div', { className: 'b24-slider-body' }, [
        el('p', { className: 'b24-slider-path', text: url }),
        el('p', { text: 'This portal page opened in a slider at the application\u2019s request (openPath). Close the slider to return.' }),
      ]),
    ]);
    var overlay = el('div', { className: 'b24-slider-overlay' }, [panel]);
    var slider = { url: url, node: overlay, onClose: onClose };
    closeButton.addEventListener('click', function () { closeSlider(slider); });
    overlay.addEventListener('click', function (e) { if (e.target === overlay) closeSlider(slider); });
    sliders.push(slider);
    document.getElementById('sliders').appendChild(overlay);
  }

  // Closes the given slider, or the top one; the opener is told {"result":"close"}.
  function closeSlider(slider) {
    slider = slider || sliders[sliders.length - 1];
    var index = sliders.indexOf(slider);
    if (index < 0) return false;
    sliders.splice(index, 1);
    slider.node.remove();
    slider.onClose();
    return true;
  }

  // ---------------------------------------------------------------- inspector

  var inspector = (function () {
    var tbody = document.getElementById('inspector-rows');
    var scroller = document.getElementById('inspector-scroll');
    var counter = document.getElementById('inspector-count');
    var rows = new Map(); // seq -> tr
    var pending = [];
    var scheduled = false;

    function clock(t) {
      var d = new Date(t);
      function pad(n, w) { return String(n).padStart(w || 2, '0'); }
      return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + '.' + pad(d.getMilliseconds(), 3);
    }

    function statusCell(entry) {
      var cell = el('td');
      var label = entry.status + (entry.released ? ' \u2192 released' : '');
      cell.appendChild(el('span', { className: 'b24-status b24-status-' + entry.status, text: label }));
      if (entry.status === 'held' && !entry.released) {
        cell.appendChild(el('button', {
          type: 'button', className: 'b24-release', text: 'Release',
          onclick: function () { releaseEntry(entry); },
        }));
      }
      if (entry.note) cell.appendChild(el('div', { className: 'b24-note', text: entry.note }));
      return cell;
    }

    function build(entry) {
      var tr = el('tr', { className: 'b24-log-' + entry.dir + ' b24-log-' + entry.status }, [
        el('td', { className: 'b24-dir', title: entry.dir === 'in' ? 'app \u2192 portal' : 'portal \u2192 app', text: entry.dir === 'in' ? '\u21e2' : '\u21e0' }),
        el('td', { className: 'b24-time', text: clock(entry.t) }),
        el('td', { className: 'b24-cmd', text: entry.cmd }),
        el('td', { className: 'b24-cb', title: entry.cb, text: entry.cb.length > 10 ? entry.cb.slice(0, 8) + '\u2026' : entry.cb }),
        statusCell(entry),
        el('td', { className: 'b24-raw', title: entry.origin, text: entry.raw.length > 400 ? entry.raw.slice(0, 400) + '\u2026' : entry.raw }),
      ]);
      return tr;
    }

    function flush() {
      scheduled = false;
      var stick = scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 4;
      // A burst (a benchmark) can log thousands of messages per frame: render only the tail.
      pending.splice(0).slice(-MAX_ROWS).forEach(function (entry) {
        var tr = build(entry);
        tr.dataset.seq = String(entry.seq);
        rows.set(entry.seq, tr);
        tbody.appendChild(tr);
      });
      while (tbody.rows.length > MAX_ROWS) {
        var first = tbody.rows[0];
        rows.delete(Number(first.dataset.seq));
        first.remove();
      }
      counter.textContent = String(portal.log.length);
      if (stick) scroller.scrollTop = scroller.scrollHeight;
    }

    function schedule() {
      if (scheduled) return;
      scheduled = true;
      requestAnimationFrame(flush);
      setTimeout(function () { if (scheduled) flush(); }, 200); // background tabs skip rAF
    }

    return {
      add: function (entry) { pending.push(entry); schedule(); },
      update: function (entry) {
        var tr = rows.get(entry.seq);
        if (tr) tr.replaceChild(statusCell(entry), tr.cells[4]);
      },
    };
  })();

  function releaseEntry(entry) {
    var item = held.filter(function (h) { return h.entry === entry; })[0];
    if (!item) return;
    held.splice(held.indexOf(item), 1);
    entry.released = true;
    inspector.update(entry);
    item.run();
  }

  // "Fire placement event": lets a developer play the portal's part in placement events.
  var eventTools = (function () {
    var box = document.getElementById('event-tools');
    var info = el('span', { className: 'b24-muted' });
    function refresh() {
      var bound = [];
      bindings.forEach(function (replies, name) { bound.push(name + ' \u00d7' + replies.length); });
      info.textContent = bound.length ? 'bound: ' + bound.join(', ') : 'no event bound yet';
    }
    if (!placement.events.length) {
      var text = config.error ? 'No application frame.' : 'Placement ' + config.placement + ' has no events to fire.';
      box.appendChild(el('span', { className: 'b24-muted', text: text }));
      return { refresh: function () {} };
    }
    var select = el('select', { id: 'event-name' },
      placement.events.map(function (name) { return el('option', { value: name, text: name }); }));
    var payload = el('input', { id: 'event-payload', type: 'text', value: '{"CALL_ID":"externalCall.1"}', 'aria-label': 'Event payload (JSON)' });
    var fire = el('button', {
      type: 'button', id: 'event-fire', text: 'Fire placement event',
      onclick: function () {
        var value;
        try {
          value = payload.value.trim() ? JSON.parse(payload.value) : undefined;
        } catch (err) {
          banner('Event payload is not valid JSON: ' + err.message);
          return;
        }
        fireEvent(select.value, value);
      },
    });
    box.appendChild(el('label', {}, ['Event ', select]));
    box.appendChild(el('label', {}, ['Payload ', payload]));
    box.appendChild(fire);
    box.appendChild(info);
    refresh();
    return { refresh: refresh };
  })();

  // ---------------------------------------------------------------- scenario panel

  var scenarioPanel = (function () {
    var form = document.getElementById('scenario-form');
    var knobs = config.knobs || {};
    var summary = el('dl', { className: 'b24-summary' });

    function field(label, control, hint) {
      var children = [el('span', { className: 'b24-field-label', text: label }), control];
      if (hint) children.push(el('span', { className: 'b24-hint', text: hint }));
      return el('label', { className: 'b24-field' }, children);
    }
    function input(name, placeholder) {
      return el('input', { name: name, type: 'text', value: knobs[name] || '', placeholder: placeholder || '' });
    }
    function choice(name, options) {
      var select = el('select', { name: name }, options.map(function (o) {
        return el('option', { value: o[0], text: o[1] });
      }));
      select.value = knobs[name] || '';
      if (select.value !== (knobs[name] || '')) {
        select.appendChild(el('option', { value: knobs[name], text: knobs[name] }));
        select.value = knobs[name];
      }
      return select;
    }

    var users = (config.users || []).map(function (u) {
      return [String(u.id), u.id + ' \u2014 ' + u.fullName + (u.isAdmin ? ' (admin)' : '')];
    });
    users.unshift(['', 'default (1)']);
    var placementList = el('datalist', { id: 'placement-list' },
      Object.keys(PLACEMENTS).map(function (name) { return el('option', { value: name }); }));
    var placementInput = input('placement', 'DEFAULT');
    placementInput.setAttribute('list', 'placement-list');
    var options = el('textarea', { name: 'placement_options', rows: '2', placeholder: '{"ID": "42"}' });
    options.value = knobs.placement_options || '';

    form.appendChild(el('div', { className: 'b24-fields' }, [
      field('App', input('app', '/index.html')),
      field('Frame', choice('frame', [['', 'cross-origin (default)'], ['cross', 'cross-origin'], ['same', 'same origin']])),
      field('User', choice('user', users)),
      field('Admin', choice('admin', [['', "user's own flag"], ['1', 'yes'], ['0', 'no']])),
      field('Language', input('lang', 'en')),
      field('First run', choice('first_run', [['', 'natural'], ['1', 'force FIRST_RUN'], ['0', 'already run']])),
      field('Install mode', choice('install', [['', 'stored flag'], ['1', 'installing (INSTALL)'], ['0', 'installed']])),
      field('Placement', placementInput),
      field('Placement options', options, 'JSON object'),
      field('Denied commands', input('deny', 'setTitle, resizeWindow')),
      field('Held commands', input('hold', 'refreshAuth'), 'replies wait for Release'),
      field('Token lifetime', input('expires', '3600'), 'seconds'),
      placementList,
    ]));
    form.appendChild(el('div', { className: 'b24-buttons' }, [
      el('button', { type: 'submit', className: 'b24-btn b24-btn-primary', id: 'scenario-apply', text: 'Apply' }),
      el('button', {
        type: 'button', className: 'b24-btn', id: 'scenario-reset', text: 'Reset store',
        onclick: function () {
          api('reset', {}).then(function () { location.reload(); }, function (err) { banner('Reset failed: ' + err.message); });
        },
      }),
    ]));
    form.appendChild(summary);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var query = new URLSearchParams();
      new FormData(form).forEach(function (value, name) {
        if (String(value).trim() !== '') query.set(name, String(value).trim());
      });
      location.href = location.pathname + '?' + query.toString();
    });

    function refreshSummary() {
      var auth = portal.auth || {};
      var rows = [
        ['APP_SID', appSid || '\u2014'],
        ['App origin', appOrigin || '\u2014'],
        ['IS_ADMIN', String(!!config.isAdmin)],
        ['FIRST_RUN', String(!!config.firstRun)],
        ['INSTALL', String(!!config.install)],
        ['PLACEMENT', config.placement || '\u2014'],
        ['AUTH_ID', auth.AUTH_ID ? auth.AUTH_ID.slice(0, 4) + '\u2026 (' + auth.AUTH_EXPIRES + ' s)' : '\u2014'],
      ];
      if (config.placement === 'USERFIELD_TYPE') rows.push(['Field value', JSON.stringify(state.fieldValue)]);
      summary.textContent = '';
      rows.forEach(function (row) {
        summary.appendChild(el('dt', { text: row[0] }));
        summary.appendChild(el('dd', { text: row[1] }));
      });
    }
    return { refreshSummary: refreshSummary };
  })();

  // ---------------------------------------------------------------- start

  function startClock() {
    var node = document.getElementById('b24-clock');
    function tick() {
      var d = new Date();
      node.textContent = String(d.getHours()).padStart(2, '0') + ':' + String(d.getMinutes()).padStart(2, '0');
    }
    tick();
    setInterval(tick, 30000);
  }

  startClock();
  scenarioPanel.refreshSummary();
  if (config.placement && config.placement !== 'DEFAULT') {
    document.getElementById('placement-badge').textContent = config.placement;
  }
  if (config.installFinished) {
    banner('Application installation finished (install_finished=' + config.installFinished + ').', 'info');
  }

  var container = document.getElementById('app-container');
  if (config.error) {
    container.appendChild(el('div', { className: 'b24-app-missing', text: 'The application is not shown: fix the scenario below and press Apply.' }));
  } else {
    // The listener first: BX24.js posts getInitData while its script is still running and
    // never re-sends it (§9.7). Then the frame, the first iframe of the page (frames[0]).
    window.addEventListener('message', onMessage);
    iframe = document.createElement('iframe');
    iframe.name = location.host + '|' + (location.protocol === 'https:' ? 1 : 0) + '|' + appSid;
    iframe.id = 'app-frame';
    iframe.className = 'b24-app-frame';
    iframe.title = config.appName;
    iframe.src = config.appUrl;
    container.appendChild(iframe);
  }
})();
