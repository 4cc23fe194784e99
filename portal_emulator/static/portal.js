// The emulated portal page: the parent side of the BX24 frame protocol (PROTOCOL.md §2.3-2.5,
// §3, §9), with the newer applayout.js parent [P2] as the reference, plus developer tools
// (scenario form, protocol inspector, event trigger). Plain JS, no build step.
//
// Every app frame on the page is a *layout* (the real portal's AppLayout): its own APP_SID,
// tokens, placement and message listener (§2.4). The page starts with one; openApplication
// adds one per slider. The pickers (selectUser/selectAccess/selectCRM) live in
// portal-dialogs.js.
(function () {
  'use strict';

  var config = JSON.parse(document.getElementById('portal-config').textContent);

  // Placement-specific commands and bindable events (REST docs, "ui-interaction"). General
  // commands are never listed by getInterface (§3.18), so DEFAULT gets empty lists.
  var CRM_CARD = { commands: ['reloadData'], events: [] };
  var PLACEMENTS = {
    DEFAULT: { commands: [], events: [] },
    LEFT_MENU: { commands: [], events: [] },
    CRM_DEAL_DETAIL_TAB: CRM_CARD,
    CRM_LEAD_DETAIL_TAB: CRM_CARD,
    CRM_CONTACT_DETAIL_TAB: CRM_CARD,
    CRM_COMPANY_DETAIL_TAB: CRM_CARD,
    CRM_DEAL_LIST_MENU: CRM_CARD,
    TASK_VIEW_TAB: { commands: [], events: [] },
    USERFIELD_TYPE: { commands: ['setValue', 'getValue'], events: [] },
    CALL_CARD: {
      commands: ['getStatus', 'disableAutoClose', 'enableAutoClose'],
      events: ['CallCard::CallStateChanged', 'CallCard::EntityChanged', 'CallCard::BeforeClose'],
    },
    PAGE_BACKGROUND_WORKER: {
      commands: ['CallCardSetMute', 'CallCardSetHold', 'CallCardSetCardTitle', 'CallCardSetStatusText', 'CallCardClose'],
      events: ['BackgroundCallCard::initialized', 'BackgroundCallCard::muteButtonClick', 'BackgroundCallCard::holdButtonClick', 'BackgroundCallCard::hangupButtonClick'],
    },
  };
  // A sample payload per event for the inspector's "Fire" tool (first handler argument).
  var EVENT_SAMPLES = {
    'CallCard::CallStateChanged': 'connected',
    'CallCard::EntityChanged': { CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: 2, PHONE_NUMBER: '+1 555 0100' },
    'BackgroundCallCard::initialized': { CALL_ID: 'externalCall.1', PHONE_NUMBER: '+1 555 0100' },
  };
  var OPEN_PATH = /^\/(crm\/(deal|lead|contact|company|type)|marketplace|company\/personal\/user\/[0-9]+|workgroups\/group\/[0-9]+)\//;
  var LABEL_COLORS = { aqua: '#2fc6f6', green: '#9dcf00', orange: '#ffa900', brown: '#b47a00', pink: '#ff5b9e', blue: '#2067b0', grey: '#a8adb4', violet: '#a855f7' };
  var MAX_ROWS = 500; // rendered inspector rows; portal.log itself keeps everything

  var denied = new Set(config.deny || []);
  var holdNames = new Set(config.hold || []);

  var publicConfig = Object.assign({}, config);
  delete publicConfig.auth; // the live tokens are portal.auth; no stale copy beside them

  var held = []; // [{entry, run}]
  var sliders = [];
  var layouts = []; // the live layouts; layouts[0] is the page's own app frame
  var mainLayout = null;
  var sliderCount = 0;

  // The test API (names are a contract with the e2e suite).
  var portal = {
    log: [],
    auth: config.auth ? Object.assign({}, config.auth) : null,
    appSid: config.appSid,
    appOrigin: config.appOrigin,
    config: publicConfig,
    foreignDone: false,
    toasts: [],
    placementValue: (config.placementOptions || {}).VALUE,
    layouts: function () {
      return layouts.map(function (l) { return { name: l.name, appSid: l.appSid, placement: l.placement }; });
    },
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
      layout: fields.layout || (mainLayout ? mainLayout.name : ''),
      t: Date.now(),
    };
    if (fields.note) entry.note = fields.note;
    portal.log.push(entry);
    inspector.add(entry);
    return entry;
  }


  // ---------------------------------------------------------------- layouts and wire

  // One AppLayout: an app frame with its APP_SID, tokens, placement, state and listener.
  function createLayout(opts) {
    var layout = {
      name: opts.name,
      appSid: opts.appSid,
      appOrigin: opts.appOrigin,
      appUrl: opts.appUrl,
      auth: Object.assign({}, opts.auth),
      isAdmin: !!opts.isAdmin,
      install: !!opts.install,
      placement: opts.placement,
      placementOptions: opts.placementOptions || {},
      def: PLACEMENTS[opts.placement] || { commands: [], events: [] },
      state: {
        firstRun: !!opts.firstRun,
        userOptions: Object.assign({}, opts.userOptions),
        appOptions: Object.assign({}, opts.appOptions),
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
    // The whitelist: an object without a prototype, so "constructor" or "toString" are unknown.
    var table = Object.create(null);
    Object.keys(general).forEach(function (name) { table[name] = general[name]; });
    if (layout.placement !== 'DEFAULT') table.placementBindEvent = placementBindEvent;
    layout.def.commands.forEach(function (name) { table[name] = placementCommands[name] || placementEcho; });
    layout.commands = table;
    layout.onMessage = function (event) { onMessage(layout, event); };
    return layout;
  }

  // The listener first: BX24.js posts getInitData while its script is still running and
  // never re-sends it (§9.7). Then the frame.
  function startLayout(layout) {
    window.addEventListener('message', layout.onMessage);
    layouts.push(layout);
    var iframe = document.createElement('iframe');
    iframe.name = location.host + '|' + (location.protocol === 'https:' ? 1 : 0) + '|' + layout.appSid;
    iframe.className = 'b24-app-frame';
    iframe.title = config.appName;
    iframe.src = layout.appUrl;
    if (layout === mainLayout) iframe.id = 'app-frame';
    layout.iframe = iframe;
    layout.container.appendChild(iframe);
    eventTools.refresh();
  }

  // The frame goes away with its slider; its event subscriptions end with it (§3.19).
  function destroyLayout(layout) {
    window.removeEventListener('message', layout.onMessage);
    var index = layouts.indexOf(layout);
    if (index >= 0) layouts.splice(index, 1);
    layout.bindings.clear();
    if (layout.iframe) layout.iframe.remove();
    layout.iframe = null;
    eventTools.refresh();
  }

  function knownOrigin(origin) {
    return layouts.some(function (l) { return l.appOrigin === origin; });
  }

  function knownSid(sid) {
    return layouts.some(function (l) { return l.appSid === sid; });
  }

  // Every layout hears every message; messages that are nobody's are logged once, by the
  // page's own layout.
  function onMessage(layout, event) {
    var page = layout === mainLayout;
    var data = event.data;
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
      if (page) record({ dir: 'in', status: 'junk', raw: describe(data), origin: event.origin });
      return;
    }
    var entry = { dir: 'in', cmd: cmd, cb: cb, raw: describe(data), origin: event.origin, layout: layout.name };
    if (sid !== layout.appSid) {
      // Another layout's message is that layout's business (§2.4).
      if (page && !knownSid(sid)) {
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
    if (denied.has(cmd)) {
      entry.status = 'denied';
      record(entry);
      return;
    }
    var handler = layout.commands[cmd] || null;
    if (!handler) {
      entry.status = 'unknown';
      record(entry);
      return;
    }
    var reply = replier(layout, cmd, cb);
    if (holdNames.has(cmd)) {
      entry.status = 'held';
      var logged = record(entry);
      held.push({ entry: logged, run: function () { invoke(handler, params, reply, logged, layout); } });
      return;
    }
    entry.status = 'handled';
    invoke(handler, params, reply, record(entry), layout);
  }

  function invoke(handler, params, reply, entry, layout) {
    try {
      var result = handler(params, reply, entry, layout);
      if (result && typeof result.catch === 'function') {
        result.catch(function (err) { handlerFailed(entry, err); });
      }
    } catch (err) {
      handlerFailed(entry, err);
    }
  }

  function handlerFailed(entry, err) {
    note(entry, 'handler error: ' + err);
    console.error('portal: handler for', entry.cmd, 'failed', err);
  }

  function note(entry, text) {
    entry.note = text;
    inspector.update(entry);
  }

  // Replies go to the layout's iframe element, only to the app origin, never to event.source
  // (§2.5). A reply for a frame that is gone (its slider closed) is lost, as in the portal.
  function replier(layout, cmd, cb) {
    return function reply(result) {
      if (!cb) return;
      var text = cb + ':' + (result === undefined ? '' : JSON.stringify(result));
      var target = layout.iframe && layout.iframe.contentWindow;
      var entry = { dir: 'out', cmd: cmd, cb: cb, status: 'reply', raw: mask(text), origin: layout.appOrigin, layout: layout.name };
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

  // Plays the portal's part in a placement event: every layout bound to it hears it.
  function fireEvent(name, payload) {
    var count = 0;
    layouts.forEach(function (layout) {
      (layout.bindings.get(name) || []).forEach(function (reply) {
        reply(payload);
        count++;
      });
    });
    return count;
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

  function setAuth(layout, data) {
    layout.auth = { AUTH_ID: data.AUTH_ID, REFRESH_ID: data.REFRESH_ID, AUTH_EXPIRES: data.AUTH_EXPIRES };
    if (layout === mainLayout) {
      portal.auth = layout.auth;
      scenarioPanel.refreshSummary();
    }
  }

  // The pickers live in portal-dialogs.js (loaded before this file).
  var dialogs = window.portalDialogs({ el: el, note: note, toast: toast, banner: banner });

  var general = {
    getInitData: function (args, reply, entry, layout) {
      var data = {
        LANG: config.lang,
        DOMAIN: location.host,
        PROTOCOL: location.protocol === 'https:' ? 1 : 0,
        PATH: '/rest',
        AUTH_ID: layout.auth.AUTH_ID,
        AUTH_EXPIRES: layout.auth.AUTH_EXPIRES,
        REFRESH_ID: layout.auth.REFRESH_ID,
        MEMBER_ID: config.memberId,
        FIRST_RUN: layout.state.firstRun,
        IS_ADMIN: layout.isAdmin,
        INSTALL: layout.install,
        USER_OPTIONS: phpObject(layout.state.userOptions),
        APP_OPTIONS: phpObject(layout.state.appOptions),
        PLACEMENT: layout.placement,
        PLACEMENT_OPTIONS: phpObject(layout.placementOptions),
      };
      layout.state.firstRun = false; // one-shot per layout (§8.15)
      reply(data);
    },

    // The real portal refreshes server-side per request, so two concurrent refreshAuth both
    // succeed; chaining them keeps that true although each refresh token here works once.
    refreshAuth: function (args, reply, entry, layout) {
      layout.refreshChain = layout.refreshChain.then(function () {
        return api('refresh', { app_sid: layout.appSid, refresh_token: layout.auth.REFRESH_ID }).then(
          function (fresh) {
            setAuth(layout, fresh);
            reply({ AUTH_ID: fresh.AUTH_ID, AUTH_EXPIRES: fresh.AUTH_EXPIRES, REFRESH_ID: fresh.REFRESH_ID });
          },
          function (err) {
            // The real portal alert()s and never replies (§3.2).
            banner('Unable to get new token! Reload page, please! (' + err.message + ')');
          });
      });
    },

    setInstall: function (args, reply, entry, layout) {
      return api('install', { app_sid: layout.appSid, install: !!fields(args).install }).then(
        function () { reply(args); },
        function (err) { banner('setInstall failed: ' + err.message); });
    },

    setInstallFinish: function (args, reply, entry, layout) {
      var value = fields(args).value;
      var v = value === undefined || value !== false ? 'Y' : 'N';
      return api('installed', { app_sid: layout.appSid, v: v }).then(function () {
        var url = new URL(location.href);
        url.searchParams.delete('install');
        url.searchParams.delete('first_run');
        url.searchParams.set('install_finished', v);
        location.href = url.toString();
      }, function (err) { banner('setInstallFinish failed: ' + err.message); });
    },

    setUserOption: function (args, reply, entry, layout) {
      var a = fields(args);
      var echo = { name: a.name, value: a.value };
      if (typeof a.name !== 'string' || !a.name) {
        reply(echo);
        return;
      }
      layout.state.userOptions[a.name] = a.value;
      return api('user_option', { app_sid: layout.appSid, name: a.name, value: a.value === undefined ? null : a.value })
        .catch(function (err) { banner('setUserOption failed: ' + err.message); })
        .then(function () { reply(echo); });
    },

    setAppOption: function (args, reply, entry, layout) {
      if (!layout.isAdmin) {
        note(entry, 'not an admin: ignored, no reply');
        return;
      }
      var a = fields(args);
      if (typeof a.name !== 'string' || !a.name) {
        note(entry, 'no option name: ignored');
        return;
      }
      // One save for everything queued in the same tick; every caller gets the result.
      // The layout's own APP_OPTIONS copy is deliberately left stale (§3.6).
      layout.appOptionQueue.push({ name: a.name, value: a.value === undefined ? null : a.value, reply: reply });
      if (layout.appOptionQueue.length === 1) setTimeout(function () { flushAppOptions(layout); }, 0);
    },

    resizeWindow: function (args, reply, entry, layout) {
      var a = fields(args);
      var width = a.width == '100%' ? '100%' : ((parseInt(a.width, 10) || 100) + 'px'); // eslint-disable-line eqeqeq
      var height = parseInt(a.height, 10);
      var container = layout.container;
      if (width) container.style.width = width;
      if (height) container.style.height = height + 'px';
      var box = container.getBoundingClientRect();
      reply({ width: Math.round(box.width), height: Math.round(box.height) });
    },

    reloadWindow: function () {
      location.reload();
    },

    setTitle: function (args, reply, entry, layout) {
      var title = fields(args).title;
      layout.titleNode.textContent = title === undefined || title === null ? '' : String(title);
      reply(args);
    },

    setScroll: function (args, reply, entry, layout) {
      var scroll = fields(args).scroll;
      if (scroll !== undefined && scroll !== null && scroll >= 0) {
        if (layout.scroller) layout.scroller.scrollTop = Number(scroll);
        else window.scrollTo(window.scrollX, Number(scroll));
      }
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

    getInterface: function (args, reply, entry, layout) {
      reply({
        command: layout.def.commands.filter(function (name) { return !denied.has(name); }),
        event: layout.def.events.slice(),
      });
    },

    openPath: function (args, reply) {
      if (config.device === 'mobile') {
        reply({ result: 'error', errorCode: 'METHOD_NOT_SUPPORTED_ON_DEVICE' });
        return;
      }
      var path = fields(args).path;
      if (typeof path !== 'string' || !OPEN_PATH.test(path)) {
        reply({ result: 'error', errorCode: 'PATH_NOT_AVAILABLE' });
        return;
      }
      var url = path + (path.indexOf('?') >= 0 ? '&' : '?') +
        'from=rest_placement&from_app=' + encodeURIComponent(config.appCode);
      var slider = openSlider({ kind: 'path', title: url, onClose: function () { reply({ result: 'close' }); } });
      slider.body.appendChild(el('div', { className: 'b24-slider-page' }, [
        el('p', { className: 'b24-slider-path', text: url }),
        el('p', { text: 'This portal page opened in a slider at the application\u2019s request (openPath). Close the slider to return.' }),
      ]));
    },

    openApplication: openApplication,
    closeApplication: closeApplication,

    // The pickers (portal-dialogs.js) reply only when the person confirms a choice.
    selectUser: dialogs.selectUser,
    selectAccess: dialogs.selectAccess,
    selectCRM: dialogs.selectCRM,
  };

  function flushAppOptions(layout) {
    var batch = layout.appOptionQueue;
    layout.appOptionQueue = [];
    var options = batch.map(function (item) { return { name: item.name, value: item.value }; });
    api('app_options', { app_sid: layout.appSid, options: options }).then(function (all) {
      batch.forEach(function (item) { item.reply(all); });
    }, function (err) {
      banner('setAppOption failed: ' + err.message);
    });
  }

  // [P2]: the app opens in a slider, in a new layout (its own APP_SID and tokens) whose
  // PLACEMENT_OPTIONS are the params; bx24_* params are slider settings. The opener is
  // answered (empty payload) when the slider closes.
  function openApplication(args, reply, entry, opener) {
    var params = args && typeof args === 'object' && !Array.isArray(args) ? args : {};
    var options = {};
    var settings = {};
    Object.keys(params).forEach(function (key) {
      if (key.indexOf('bx24_') === 0) settings[key.slice(5)] = params[key];
      else options[key] = params[key];
    });
    if (options.options !== undefined && options.params !== undefined) options = fields(options.params);
    return api('layout', { app_sid: opener.appSid }).then(function (info) {
      var layout;
      var slider = openSlider({
        kind: 'app',
        title: typeof settings.title === 'string' ? settings.title : config.appName,
        width: parseInt(settings.width, 10) || null,
        leftBoundary: parseInt(settings.leftBoundary, 10) || null,
        label: settings.label,
        onClose: function () {
          destroyLayout(layout);
          reply();
        },
      });
      var container = el('div', { className: 'b24-app-container b24-slider-container' });
      slider.body.appendChild(container);
      var url = new URL(opener.appUrl);
      url.searchParams.set('APP_SID', info.appSid);
      layout = createLayout({
        name: 'slider ' + (++sliderCount),
        appSid: info.appSid,
        appOrigin: opener.appOrigin,
        appUrl: url.toString(),
        auth: info.auth,
        isAdmin: opener.isAdmin,
        install: info.install,
        firstRun: info.firstRun,
        userOptions: info.userOptions,
        appOptions: info.appOptions,
        placement: 'DEFAULT',
        placementOptions: options,
        container: container,
        titleNode: slider.titleNode,
        scroller: slider.body,
        slider: slider,
      });
      slider.layout = layout;
      startLayout(layout);
    }, function (err) { banner('openApplication failed: ' + err.message); });
  }

  // [P2]: closes the top slider when it shows this application; the reply goes to the caller
  // after the close (lost when the caller is the closed frame itself). Otherwise nothing.
  function closeApplication(args, reply, entry) {
    var top = sliders[sliders.length - 1];
    if (!top || top.kind !== 'app') {
      note(entry, 'no application slider on top: ignored');
      return;
    }
    closeSlider(top);
    reply();
  }

  var placementCommands = {
    reloadData: function (args, reply) {
      toast('Card reloaded');
      reply([]);
    },
    setValue: function (args, reply, entry, layout) {
      // The bare parsed value (§3.20), not an object around it.
      layout.state.fieldValue = args;
      portal.placementValue = args;
      scenarioPanel.refreshSummary();
      reply([]);
    },
    getValue: function (args, reply, entry, layout) {
      reply(layout.state.fieldValue);
    },
    getStatus: function (args, reply, entry, layout) {
      // Shape not documented; the emulator answers the call's placement options.
      reply(Object.assign({}, layout.placementOptions, { AUTO_CLOSE: layout.state.autoClose }));
    },
    disableAutoClose: function (args, reply, entry, layout) {
      layout.state.autoClose = false;
      reply([]);
    },
    enableAutoClose: function (args, reply, entry, layout) {
      layout.state.autoClose = true;
      reply([]);
    },
  };

  // Documented commands the emulator has no behaviour for: shown, answered "done".
  function placementEcho(args, reply, entry) {
    toast(entry.cmd + ' ' + JSON.stringify(args));
    reply([]);
  }

  function placementBindEvent(args, reply, entry, layout) {
    var name = fields(args).event;
    if (layout.def.events.indexOf(name) < 0) {
      note(entry, 'unknown event: ignored');
      return;
    }
    if (!layout.bindings.has(name)) layout.bindings.set(name, []);
    layout.bindings.get(name).push(reply);
    eventTools.refresh();
  }

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

  // A slider panel over the page ([P2] opens openPath pages and applications in sliders).
  // opts: kind ('path' | 'app'), title, width, leftBoundary, label {text, bgColor, color},
  // onClose. Returns the slider; its .body is for the content.
  function openSlider(opts) {
    var closeButton = el('button', { type: 'button', className: 'b24-slider-close', 'aria-label': 'Close', text: '\u00d7' });
    var titleNode = el('span', { className: 'b24-slider-title', text: opts.title || '' });
    var body = el('div', { className: 'b24-slider-body' });
    var panel = el('div', { className: 'b24-slider b24-slider-' + opts.kind }, [
      el('div', { className: 'b24-slider-header' }, [titleNode, closeButton]),
      body,
    ]);
    if (opts.width) panel.style.width = opts.width + 'px';
    else if (opts.leftBoundary) panel.style.left = opts.leftBoundary + 'px';
    var label = opts.label && typeof opts.label === 'object' ? opts.label : null;
    if (label) {
      var tab = el('div', { className: 'b24-slider-label', text: label.text ? String(label.text) : '' });
      var bg = LABEL_COLORS[label.bgColor] || label.bgColor;
      if (bg) tab.style.background = String(bg);
      if (label.color) tab.style.color = String(label.color);
      panel.appendChild(tab);
    }
    var overlay = el('div', { className: 'b24-slider-overlay' }, [panel]);
    var slider = { kind: opts.kind, title: opts.title, node: overlay, body: body, titleNode: titleNode, onClose: opts.onClose };
    closeButton.addEventListener('click', function () { closeSlider(slider); });
    overlay.addEventListener('click', function (e) { if (e.target === overlay) closeSlider(slider); });
    sliders.push(slider);
    document.getElementById('sliders').appendChild(overlay);
    return slider;
  }

  // Closes the given slider, or the top one, and tells its opener.
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
      if (typeof entry.row === 'function') return entry.row(el, clock); // REST rows (rest-inspector.js)
      var tr = el('tr', { className: 'b24-log-' + entry.dir + ' b24-log-' + entry.status }, [
        el('td', { className: 'b24-dir', title: entry.dir === 'in' ? 'app \u2192 portal' : 'portal \u2192 app', text: entry.dir === 'in' ? '\u21e2' : '\u21e0' }),
        el('td', { className: 'b24-time', text: clock(entry.t) }),
        el('td', { className: 'b24-cmd' }, entry.layout && mainLayout && entry.layout !== mainLayout.name
          ? [entry.cmd, el('span', { className: 'b24-layout-tag', text: entry.layout })] : [entry.cmd]),
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

  // rest-inspector.js adds REST exchanges as rows ({seq (negative), t, row(el, clock)}); they
  // are shown only, never part of portal.log (the frame protocol's record).
  portal.addInspectorRow = function (entry) { inspector.add(entry); };
  portal.el = el; // the element builder, for scripts that extend the page (rest-inspector.js)

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
    var events = (PLACEMENTS[config.placement] || { events: [] }).events;
    function refresh() {
      var bound = [];
      layouts.forEach(function (layout) {
        layout.bindings.forEach(function (replies, name) { bound.push(name + ' \u00d7' + replies.length); });
      });
      info.textContent = bound.length ? 'bound: ' + bound.join(', ') : 'no event bound yet';
    }
    if (!events.length) {
      var text = config.error ? 'No application frame.' : 'Placement ' + config.placement + ' has no events to fire.';
      box.appendChild(el('span', { className: 'b24-muted', text: text }));
      return { refresh: function () {} };
    }
    var select = el('select', { id: 'event-name' },
      events.map(function (name) { return el('option', { value: name, text: name }); }));
    function sample() {
      var value = EVENT_SAMPLES[select.value];
      return value === undefined ? '{}' : JSON.stringify(value);
    }
    var payload = el('input', { id: 'event-payload', type: 'text', value: '', 'aria-label': 'Event payload (JSON)' });
    payload.value = sample();
    select.addEventListener('change', function () { payload.value = sample(); });
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
        var count = fireEvent(select.value, value);
        if (!count) toast('Nobody is bound to ' + select.value);
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
      field('Device', choice('device', [['', 'desktop'], ['mobile', 'mobile (no sliders)']])),
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
        ['APP_SID', config.appSid || '\u2014'],
        ['App origin', config.appOrigin || '\u2014'],
        ['IS_ADMIN', String(!!config.isAdmin)],
        ['FIRST_RUN', String(!!config.firstRun)],
        ['INSTALL', String(!!config.install)],
        ['PLACEMENT', config.placement || '\u2014'],
        ['AUTH_ID', auth.AUTH_ID ? auth.AUTH_ID.slice(0, 4) + '\u2026 (' + auth.AUTH_EXPIRES + ' s)' : '\u2014'],
      ];
      if (config.placement === 'USERFIELD_TYPE' && mainLayout) rows.push(['Field value', JSON.stringify(mainLayout.state.fieldValue)]);
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
    // The page's own layout: its frame is the first iframe of the page (frames[0]).
    mainLayout = createLayout({
      name: 'main',
      appSid: config.appSid,
      appOrigin: config.appOrigin,
      appUrl: config.appUrl,
      auth: config.auth,
      isAdmin: config.isAdmin,
      install: config.install,
      firstRun: config.firstRun,
      userOptions: config.userOptions,
      appOptions: config.appOptions,
      placement: config.placement,
      placementOptions: config.placementOptions,
      container: container,
      titleNode: document.getElementById('pagetitle'),
      scroller: null,
    });
    portal.auth = mainLayout.auth;
    startLayout(mainLayout);
  }
  scenarioPanel.refreshSummary();
})();
