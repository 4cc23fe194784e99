// The portal's answers to the app's commands (PROTOCOL.md §3): the general commands every
// layout takes, the placement-specific ones, and openApplication/closeApplication.
// Each handler is (args, reply, entry, layout); reply(result) answers the app.

import { api } from './portal-api.js';
import { banner, dialogLabel, el, fields, toast, userLabel } from './portal-dom.js';
import { selectAccess, selectCRM, selectUser } from './portal-dialogs.js';
import { note, refreshEventTools } from './portal-inspector.js';
import { createLayout, destroyLayout, startLayout } from './portal-layouts.js';
import { refreshSummary } from './portal-scenario.js';
import { closeSlider, openSlider } from './portal-sliders.js';
import { config, denied, portal, state } from './portal-state.js';

const OPEN_PATH = /^\/(crm\/(deal|lead|contact|company|type)|marketplace|company\/personal\/user\/[0-9]+|workgroups\/group\/[0-9]+)\//;

// The whitelist of one layout: an object without a prototype, so "constructor" or
// "toString" are unknown commands.
export function commandTable(layout) {
  const table = Object.create(null);
  Object.assign(table, general);
  if (layout.placement !== 'DEFAULT') table.placementBindEvent = placementBindEvent;
  for (const name of layout.def.commands) table[name] = placementCommands[name] || placementEcho;
  return table;
}

// PHP serialises an empty associative array as [] (§8.16); so does this portal.
function phpObject(value) {
  return value && typeof value === 'object' && Object.keys(value).length ? value : [];
}

function setAuth(layout, data) {
  layout.auth = { AUTH_ID: data.AUTH_ID, REFRESH_ID: data.REFRESH_ID, AUTH_EXPIRES: data.AUTH_EXPIRES };
  if (layout === state.mainLayout) {
    portal.auth = layout.auth;
    refreshSummary();
  }
}

const general = {
  getInitData(args, reply, entry, layout) {
    const data = {
      LANG: config.lang,
      DOMAIN: location.host,
      PROTOCOL: location.protocol === 'https:' ? 1 : 0,
      PATH: '/rest',
      AUTH_ID: layout.auth.AUTH_ID,
      AUTH_EXPIRES: String(layout.auth.AUTH_EXPIRES), // a string, as the real portal sends it
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
  refreshAuth(args, reply, entry, layout) {
    layout.refreshChain = layout.refreshChain.then(() =>
      api('refresh', { app_sid: layout.appSid, refresh_token: layout.auth.REFRESH_ID }).then(
        (fresh) => {
          setAuth(layout, fresh);
          reply({ AUTH_ID: fresh.AUTH_ID, AUTH_EXPIRES: String(fresh.AUTH_EXPIRES), REFRESH_ID: fresh.REFRESH_ID });
        },
        (err) => {
          // The real portal alert()s and never replies (§3.2).
          banner('Unable to get new token! Reload page, please! (' + err.message + ')');
        }));
  },

  setInstall(args, reply, entry, layout) {
    return api('install', { app_sid: layout.appSid, install: !!fields(args).install }).then(
      () => reply(args),
      (err) => banner('setInstall failed: ' + err.message));
  },

  setInstallFinish(args, reply, entry, layout) {
    const value = fields(args).value;
    const v = value === undefined || value !== false ? 'Y' : 'N';
    return api('installed', { app_sid: layout.appSid, v }).then(() => {
      const url = new URL(location.href);
      url.searchParams.delete('install');
      url.searchParams.delete('first_run');
      url.searchParams.set('install_finished', v);
      location.href = url.toString();
    }, (err) => banner('setInstallFinish failed: ' + err.message));
  },

  setUserOption(args, reply, entry, layout) {
    const a = fields(args);
    const echo = { name: a.name, value: a.value };
    if (typeof a.name !== 'string' || !a.name) {
      reply(echo);
      return undefined;
    }
    layout.state.userOptions[a.name] = a.value; // in memory the value stays as sent, until a reload
    // The portal core saves it with String(value): {"a": 1} comes back as "[object Object]" (§3.5).
    return api('user_option', { app_sid: layout.appSid, name: a.name, value: String(a.value) })
      .catch((err) => banner('setUserOption failed: ' + err.message))
      .then(() => reply(echo));
  },

  setAppOption(args, reply, entry, layout) {
    if (!layout.isAdmin) {
      note(entry, 'not an admin: ignored, no reply');
      return;
    }
    const a = fields(args);
    if (typeof a.name !== 'string' || !a.name) {
      note(entry, 'no option name: ignored');
      return;
    }
    // One save for everything queued in the same tick; every caller gets the result.
    // The layout's own APP_OPTIONS copy is deliberately left stale (§3.6).
    layout.appOptionQueue.push({ name: a.name, value: a.value === undefined ? null : a.value, reply });
    if (layout.appOptionQueue.length === 1) setTimeout(() => flushAppOptions(layout), 0);
  },

  resizeWindow(args, reply, entry, layout) {
    const a = fields(args);
    const width = a.width == '100%' ? '100%' : ((parseInt(a.width, 10) || 100) + 'px'); // eslint-disable-line eqeqeq
    const height = parseInt(a.height, 10);
    const container = layout.container;
    if (width) container.style.width = width;
    if (height) container.style.height = height + 'px';
    const box = container.getBoundingClientRect();
    reply({ width: Math.round(box.width), height: Math.round(box.height) });
  },

  reloadWindow() {
    location.reload();
  },

  setTitle(args, reply, entry, layout) {
    const title = fields(args).title;
    layout.titleNode.textContent = title === undefined || title === null ? '' : String(title);
    reply(args);
  },

  setScroll(args, reply, entry, layout) {
    const scroll = fields(args).scroll;
    if (scroll !== undefined && scroll !== null && scroll >= 0) {
      if (layout.scroller) layout.scroller.scrollTop = Number(scroll);
      else window.scrollTo(window.scrollX, Number(scroll));
    }
    reply(args);
  },

  imCallTo(args) {
    const a = fields(args);
    toast((a.video ? 'Video call to ' : 'Calling ') + userLabel(a.userId));
  },
  imPhoneTo(args) {
    toast('Calling phone number ' + fields(args).phone);
  },
  imOpenMessenger(args) {
    toast('Opening chat ' + dialogLabel(fields(args).dialogId));
  },
  imOpenHistory(args) {
    toast('Opening chat history ' + dialogLabel(fields(args).dialogId));
  },

  getInterface(args, reply, entry, layout) {
    reply({
      command: layout.def.commands.filter((name) => !denied.has(name)),
      event: layout.def.events.slice(),
    });
  },

  openPath(args, reply) {
    if (config.device === 'mobile') {
      reply({ result: 'error', errorCode: 'METHOD_NOT_SUPPORTED_ON_DEVICE' });
      return;
    }
    const path = fields(args).path;
    if (typeof path !== 'string' || !OPEN_PATH.test(path)) {
      reply({ result: 'error', errorCode: 'PATH_NOT_AVAILABLE' });
      return;
    }
    const url = path + (path.indexOf('?') >= 0 ? '&' : '?') +
      'from=rest_placement&from_app=' + encodeURIComponent(config.appCode);
    const slider = openSlider({ kind: 'path', title: url, onClose: () => reply({ result: 'close' }) });
    slider.body.appendChild(el('div', { className: 'b24-slider-page' }, [
      el('p', { className: 'b24-slider-path', text: url }),
      el('p', { text: 'This portal page opened in a slider at the application\u2019s request (openPath). Close the slider to return.' }),
    ]));
  },

  openApplication,
  closeApplication,

  // The pickers (portal-dialogs.js) reply only when the person confirms a choice.
  selectUser,
  selectAccess,
  selectCRM,
};

function flushAppOptions(layout) {
  const batch = layout.appOptionQueue;
  layout.appOptionQueue = [];
  const options = batch.map((item) => ({ name: item.name, value: item.value }));
  api('app_options', { app_sid: layout.appSid, options }).then((all) => {
    for (const item of batch) item.reply(all);
  }, (err) => banner('setAppOption failed: ' + err.message));
}

// [P2]: the app opens in a slider, in a new layout (its own APP_SID and tokens) whose
// PLACEMENT_OPTIONS are the params; bx24_* params are slider settings. The opener is
// answered (empty payload) when the slider closes.
function openApplication(args, reply, entry, opener) {
  const params = args && typeof args === 'object' && !Array.isArray(args) ? args : {};
  let options = {};
  const settings = {};
  for (const key of Object.keys(params)) {
    if (key.indexOf('bx24_') === 0) settings[key.slice(5)] = params[key];
    else options[key] = params[key];
  }
  if (options.options !== undefined && options.params !== undefined) options = fields(options.params);
  return api('layout', { app_sid: opener.appSid }).then((info) => {
    let layout;
    const slider = openSlider({
      kind: 'app',
      title: typeof settings.title === 'string' ? settings.title : config.appName,
      width: parseInt(settings.width, 10) || null,
      leftBoundary: parseInt(settings.leftBoundary, 10) || null,
      label: settings.label,
      onClose: () => {
        destroyLayout(layout);
        reply();
      },
    });
    const container = el('div', { className: 'b24-app-container b24-slider-container' });
    slider.body.appendChild(container);
    const url = new URL(opener.appUrl);
    url.searchParams.set('APP_SID', info.appSid);
    layout = createLayout({
      name: 'slider ' + (++state.sliderCount),
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
      container,
      titleNode: slider.titleNode,
      scroller: slider.body,
      slider,
    });
    slider.layout = layout;
    startLayout(layout);
  }, (err) => banner('openApplication failed: ' + err.message));
}

// [P2]: closes the top slider when it shows this application; the reply goes to the caller
// after the close (lost when the caller is the closed frame itself). Otherwise nothing.
function closeApplication(args, reply, entry) {
  const top = state.sliders[state.sliders.length - 1];
  if (!top || top.kind !== 'app') {
    note(entry, 'no application slider on top: ignored');
    return;
  }
  closeSlider(top);
  reply();
}

const placementCommands = {
  reloadData(args, reply) {
    toast('Card reloaded');
    reply([]);
  },
  setValue(args, reply, entry, layout) {
    // The bare parsed value (§3.20), not an object around it.
    layout.state.fieldValue = args;
    portal.placementValue = args;
    refreshSummary();
    reply([]);
  },
  getValue(args, reply, entry, layout) {
    reply(layout.state.fieldValue);
  },
  getStatus(args, reply, entry, layout) {
    // Shape not documented; the emulator answers the call's placement options.
    reply({ ...layout.placementOptions, AUTO_CLOSE: layout.state.autoClose });
  },
  disableAutoClose(args, reply, entry, layout) {
    layout.state.autoClose = false;
    reply([]);
  },
  enableAutoClose(args, reply, entry, layout) {
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
  const name = fields(args).event;
  if (layout.def.events.indexOf(name) < 0) {
    note(entry, 'unknown event: ignored');
    return;
  }
  if (!layout.bindings.has(name)) layout.bindings.set(name, []);
  layout.bindings.get(name).push(reply);
  refreshEventTools();
}
