// The scenario panel: the knobs of this page as a form (Apply reloads the page with them),
// "Reset store", and a summary of what the app frame was given.

import { api } from './portal-api.js';
import { banner, el } from './portal-dom.js';
import { maskToken } from './portal-mask.js';
import { PLACEMENTS } from './portal-placements.js';
import { config, portal, state } from './portal-state.js';

let summary = null;

export function initScenarioPanel() {
  const form = document.getElementById('scenario-form');
  const knobs = config.knobs || {};
  summary = el('dl', { className: 'b24-summary' });

  function field(label, control, hint) {
    const children = [el('span', { className: 'b24-field-label', text: label }), control];
    if (hint) children.push(el('span', { className: 'b24-hint', text: hint }));
    return el('label', { className: 'b24-field' }, children);
  }
  function input(name, placeholder) {
    return el('input', { name, type: 'text', value: knobs[name] || '', placeholder: placeholder || '' });
  }
  function choice(name, options) {
    const select = el('select', { name }, options.map((o) => el('option', { value: o[0], text: o[1] })));
    select.value = knobs[name] || '';
    if (select.value !== (knobs[name] || '')) {
      select.appendChild(el('option', { value: knobs[name], text: knobs[name] }));
      select.value = knobs[name];
    }
    return select;
  }

  const users = (config.users || []).map((u) => [String(u.id), u.id + ' \u2014 ' + u.fullName + (u.isAdmin ? ' (admin)' : '')]);
  users.unshift(['', 'default (1)']);
  const placementList = el('datalist', { id: 'placement-list' },
    Object.keys(PLACEMENTS).map((name) => el('option', { value: name })));
  const placementInput = input('placement', 'DEFAULT');
  placementInput.setAttribute('list', 'placement-list');
  const options = el('textarea', { name: 'placement_options', rows: '2', placeholder: '{"ID": "42"}' });
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
      onclick: () => {
        api('reset', {}).then(() => location.reload(), (err) => banner('Reset failed: ' + err.message));
      },
    }),
  ]));
  form.appendChild(summary);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    new FormData(form).forEach((value, name) => {
      if (String(value).trim() !== '') query.set(name, String(value).trim());
    });
    location.href = location.pathname + '?' + query.toString();
  });
}

export function refreshSummary() {
  if (!summary) return;
  const auth = portal.auth || {};
  const rows = [
    ['APP_SID', config.appSid || '\u2014'],
    ['App origin', config.appOrigin || '\u2014'],
    ['IS_ADMIN', String(!!config.isAdmin)],
    ['FIRST_RUN', String(!!config.firstRun)],
    ['INSTALL', String(!!config.install)],
    ['PLACEMENT', config.placement || '\u2014'],
    ['AUTH_ID', auth.AUTH_ID ? maskToken(auth.AUTH_ID) + ' (' + auth.AUTH_EXPIRES + ' s)' : '\u2014'],
  ];
  if (config.placement === 'USERFIELD_TYPE' && state.mainLayout) rows.push(['Field value', JSON.stringify(state.mainLayout.state.fieldValue)]);
  summary.textContent = '';
  for (const [name, value] of rows) {
    summary.appendChild(el('dt', { text: name }));
    summary.appendChild(el('dd', { text: value }));
  }
}
