// The emulated portal's pickers: selectUser (single and multiple), selectAccess and selectCRM
// as modal dialogs over the page, filled from the store (GET /portal/api/directory, whose
// entries are already in the reply shapes of PROTOCOL.md §3.11-3.13). Confirming a choice
// replies; closing the dialog (x, Cancel, Esc, a click beside it) never does, as in the portal.

import { banner, el, fields } from './portal-dom.js';
import { note } from './portal-inspector.js';

const PROVIDER_ORDER = ['user', 'intranet', 'socnetgroup', 'other']; // selectAccess grouping
const CRM_TABS = { lead: 'Leads', contact: 'Contacts', company: 'Companies', deal: 'Deals', quote: 'Estimates' };

let directory = null;
let single = null; // the single-user picker, reused while it is open (§3.11)
let several = null; // the multiple-user picker, recreated on every call
let shown = []; // open dialogs, newest last (Esc closes the newest)

function load() {
  if (!directory) {
    directory = fetch('/portal/api/directory', { cache: 'no-store' }).then(function (response) {
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return response.json();
    });
    directory.catch(function () { directory = null; });
  }
  return directory;
}

document.addEventListener('keydown', function (event) {
  if (event.key === 'Escape' && shown.length) shown[shown.length - 1].cancel();
});

// A picker. opts: kind, title, tabs [{key, label, items: [{id, label, sub, value}]}],
// multiple, pickOnClick (a click confirms), blocked (Set of ids: checked, not selectable),
// preselected (Set of ids), onConfirm(values in selection order), onCancel().
function picker(opts) {
  let selected = new Map(); // id -> item, in selection order
  let blocked = opts.blocked || new Set();
  let tab = opts.tabs[0];
  let list = el('ul', { className: 'b24-dialog-list', role: 'listbox', 'aria-multiselectable': String(!!opts.multiple) });
  let search = el('input', { className: 'b24-dialog-search', type: 'search', placeholder: 'Search', 'aria-label': 'Search' });
  let count = el('span', { className: 'b24-dialog-count' });
  let tabBar = el('div', { className: 'b24-dialog-tabs', role: 'tablist' });
  let selectButton = el('button', { type: 'button', className: 'b24-btn b24-btn-primary b24-dialog-select', text: 'Select' });
  let cancelButton = el('button', { type: 'button', className: 'b24-btn b24-dialog-cancel', text: 'Cancel' });
  let closeButton = el('button', { type: 'button', className: 'b24-dialog-close', 'aria-label': 'Close', text: '\u00d7' });
  let box = el('div', { className: 'b24-dialog', role: 'dialog', 'aria-modal': 'true', 'aria-label': opts.title }, [
    el('div', { className: 'b24-dialog-header' }, [el('span', { className: 'b24-dialog-title', text: opts.title }), closeButton]),
    tabBar,
    search,
    list,
    el('div', { className: 'b24-dialog-footer' }, opts.pickOnClick ? [count, cancelButton] : [count, cancelButton, selectButton]),
  ]);
  let overlay = el('div', { className: 'b24-dialog-overlay', 'data-dialog': opts.kind }, [box]);
  let dialog = { kind: opts.kind, node: overlay, cancel: cancel, close: close, opts: opts };

  opts.tabs.forEach(function (t) {
    (t.items || []).forEach(function (item) {
      if (opts.preselected && opts.preselected.has(item.id) && !blocked.has(item.id)) selected.set(item.id, item);
    });
  });

  function renderTabs() {
    tabBar.textContent = '';
    tabBar.hidden = opts.tabs.length < 2;
    opts.tabs.forEach(function (t) {
      tabBar.appendChild(el('button', {
        type: 'button', role: 'tab', 'data-tab': t.key,
        className: 'b24-dialog-tab' + (t === tab ? ' b24-dialog-tab-active' : ''),
        text: t.label + ' (' + t.items.length + ')',
        onclick: function () { tab = t; renderTabs(); renderList(); },
      }));
    });
  }

  function renderList() {
    let needle = search.value.trim().toLowerCase();
    list.textContent = '';
    let items = tab.items.filter(function (item) {
      return !needle || (item.label + ' ' + (item.sub || '')).toLowerCase().indexOf(needle) >= 0;
    });
    if (!items.length) list.appendChild(el('li', { className: 'b24-dialog-empty', text: needle ? 'Nothing found' : 'Nothing here yet' }));
    items.forEach(function (item) {
      let isBlocked = blocked.has(item.id);
      let mark = el('input', { type: opts.multiple ? 'checkbox' : 'radio', tabindex: '-1', 'aria-hidden': 'true' });
      mark.checked = isBlocked || selected.has(item.id);
      mark.disabled = isBlocked;
      if (opts.pickOnClick) mark.hidden = true;
      let row = el('li', {
        className: 'b24-dialog-item' + (mark.checked ? ' b24-dialog-item-selected' : '') + (isBlocked ? ' b24-dialog-item-blocked' : ''),
        role: 'option', 'data-id': item.id, 'aria-selected': String(mark.checked),
        title: isBlocked ? 'Already granted' : '',
      }, [mark, el('span', { className: 'b24-dialog-item-name', text: item.label }), el('span', { className: 'b24-dialog-item-sub', text: item.sub || '' })]);
      if (!isBlocked) row.addEventListener('click', function () { toggle(item); });
      list.appendChild(row);
    });
    count.textContent = opts.pickOnClick ? '' : selected.size + ' selected';
    selectButton.disabled = !opts.multiple && selected.size === 0;
  }

  function toggle(item) {
    if (opts.pickOnClick) {
      close();
      opts.onConfirm([item]);
      return;
    }
    if (selected.has(item.id)) {
      selected.delete(item.id);
    } else {
      if (!opts.multiple) selected.clear();
      selected.set(item.id, item);
    }
    renderList();
  }

  function close() {
    let index = shown.indexOf(dialog);
    if (index >= 0) shown.splice(index, 1);
    overlay.remove();
  }

  function cancel() {
    close();
    if (opts.onCancel) opts.onCancel();
  }

  search.addEventListener('input', renderList);
  selectButton.addEventListener('click', function () {
    close();
    opts.onConfirm(Array.from(selected.values()));
  });
  cancelButton.addEventListener('click', cancel);
  closeButton.addEventListener('click', cancel);
  overlay.addEventListener('click', function (event) { if (event.target === overlay) cancel(); });

  renderTabs();
  renderList();
  shown.push(dialog);
  document.getElementById('dialogs').appendChild(overlay);
  search.focus();
  return dialog;
}

function cancelled(entry) {
  return function () { note(entry, 'closed by the person: no reply (§2.7)'); };
}

function failed(entry) {
  return function (err) { banner('The picker could not load the directory: ' + err.message); note(entry, 'directory failed: no reply'); };
}

function userItems(data) {
  return data.users.map(function (user) {
    return { id: user.id, label: user.name, sub: user.position, value: user };
  });
}

// §3.11: single picks with one click (the reply is one user); multiple confirms a list.
// The portal parses mult with parseInt(mult + 0).
export function selectUser(args, reply, entry) {
  let multiple = !!parseInt(fields(args).mult + 0, 10);
  if (!multiple && single) {
    // The open single picker is reused; the newest reply function replaces the old one.
    note(single.entry, 'superseded by a newer selectUser: no reply');
    single.entry = entry;
    single.reply = reply;
    return;
  }
  if (multiple && several) {
    note(several.entry, 'superseded by a newer selectUsers: no reply');
    several.dialog.close();
    several = null;
  }
  return load().then(function (data) {
    let state = { entry: entry, reply: reply };
    let dialog = picker({
      kind: multiple ? 'selectUsers' : 'selectUser',
      title: multiple ? 'Select employees' : 'Select an employee',
      tabs: [{ key: 'users', label: 'Employees', items: userItems(data) }],
      multiple: multiple,
      pickOnClick: !multiple,
      onConfirm: function (items) {
        if (multiple) several = null;
        else single = null;
        let users = items.map(function (item) { return item.value; });
        state.reply(multiple ? users : users[0]);
      },
      onCancel: function () {
        if (multiple) several = null;
        else single = null;
        cancelled(state.entry)();
      },
    });
    state.dialog = dialog;
    if (multiple) several = state;
    else single = state;
  }, failed(entry));
}

// §3.12: value = codes shown as already granted (blocked); the reply lists the new choices
// as {provider, id, name}, grouped by provider, in selection order within a group.
export function selectAccess(args, reply, entry) {
  let value = fields(args).value;
  let blocked = new Set(Array.isArray(value) ? value.map(String) : []);
  return load().then(function (data) {
    function tab(key, label, providers) {
      return {
        key: key, label: label,
        items: data.access.filter(function (a) { return providers.indexOf(a.provider) >= 0; }).map(function (a) {
          return { id: a.id, label: a.name, sub: a.id, value: { provider: a.provider, id: a.id, name: a.name } };
        }),
      };
    }
    picker({
      kind: 'selectAccess',
      title: 'Select access permissions',
      tabs: [tab('users', 'Employees', ['user']), tab('departments', 'Departments', ['intranet']), tab('other', 'Other', ['other'])],
      multiple: true,
      blocked: blocked,
      onConfirm: function (items) {
        let values = items.map(function (item) { return item.value; });
        values.sort(function (a, b) { return PROVIDER_ORDER.indexOf(a.provider) - PROVIDER_ORDER.indexOf(b.provider); });
        reply(values);
      },
      onCancel: cancelled(entry),
    });
  }, failed(entry));
}

// §3.13: one tab per requested entity type. The reply has every requested type; chosen
// items come as an object with numeric keys (the shape the portal historically sends),
// types with nothing chosen as [].
export function selectCRM(args, reply, entry) {
  let a = fields(args);
  let types = (Array.isArray(a.entityType) ? a.entityType : typeof a.entityType === 'string' ? [a.entityType] : [])
    .filter(function (type) { return Object.prototype.hasOwnProperty.call(CRM_TABS, type); });
  if (!types.length) types = Object.keys(CRM_TABS);
  let multiple = !!a.multiple;
  let preselected = new Set();
  if (multiple && a.value && typeof a.value === 'object') {
    Object.keys(a.value).forEach(function (type) {
      let ids = Array.isArray(a.value[type]) ? a.value[type] : [];
      ids.forEach(function (id) { preselected.add(type + ':' + String(id)); });
    });
  }
  return load().then(function (data) {
    let tabs = types.map(function (type) {
      return {
        key: type, label: CRM_TABS[type],
        items: (data.crm[type] || []).map(function (item) {
          return { id: item.id, label: item.title, sub: item.desc, value: item, type: type };
        }),
      };
    });
    let chosen = new Set();
    tabs.forEach(function (t) {
      t.items.forEach(function (item) {
        let number = item.id.slice(item.id.indexOf('_') + 1);
        if (preselected.has(t.key + ':' + number) || preselected.has(t.key + ':' + item.id)) chosen.add(item.id);
      });
    });
    picker({
      kind: 'selectCRM',
      title: multiple ? 'Select CRM items' : 'Select a CRM item',
      tabs: tabs,
      multiple: multiple,
      preselected: chosen,
      onConfirm: function (items) {
        let answer = {};
        types.forEach(function (type) {
          let bucket = {};
          let n = 0;
          items.forEach(function (item) { if (item.type === type) bucket[String(n++)] = item.value; });
          answer[type] = n ? bucket : [];
        });
        reply(answer);
      },
      onCancel: cancelled(entry),
    });
  }, failed(entry));
}
