// The emulated portal page: the parent side of the BX24 frame protocol plus developer tools.
// Native ES modules, no build step; one concern per module:
//   portal-state.js       the page config, the live layouts, window.portal (the test API)
//   portal-layouts.js     app frames (AppLayouts) and message dispatch (PROTOCOL.md §2)
//   portal-commands.js    the answers to the app's commands (§3)
//   portal-dialogs.js     the pickers (selectUser / selectAccess / selectCRM)
//   portal-sliders.js     slider panels (openPath, openApplication)
//   portal-inspector.js   the protocol inspector and the "Fire placement event" tool
//   rest-inspector.js     REST exchanges in the inspector, the REST panel
//   portal-scenario.js    the scenario form and summary
//   portal-dev.js         dev mode: reload on save, app tracebacks
//   portal-mask.js, portal-dom.js, portal-api.js, portal-placements.js   small shared parts

import { banner, el } from './portal-dom.js';
import { initDev } from './portal-dev.js';
import { addRow, initEventTools } from './portal-inspector.js';
import { createLayout, fireEvent, release, startLayout } from './portal-layouts.js';
import { mask } from './portal-mask.js';
import { initRestInspector } from './rest-inspector.js';
import { initScenarioPanel, refreshSummary } from './portal-scenario.js';
import { closeSlider } from './portal-sliders.js';
import { config, portal, state } from './portal-state.js';

Object.assign(portal, {
  layouts: () => state.layouts.map((l) => ({ name: l.name, appSid: l.appSid, placement: l.placement })),
  release,
  fireEvent,
  closeSlider,
  addInspectorRow: addRow, // {seq, t, row(el, clock)}: shown only, never part of portal.log
  el, // the element builder, for scripts that extend the page
  mask, // the server's masking rule, applied (tests compare it with masking.py)
});

function startClock() {
  const node = document.getElementById('b24-clock');
  const tick = () => {
    const d = new Date();
    node.textContent = String(d.getHours()).padStart(2, '0') + ':' + String(d.getMinutes()).padStart(2, '0');
  };
  tick();
  setInterval(tick, 30000);
}

initEventTools();
initScenarioPanel();
startClock();
if (config.placement && config.placement !== 'DEFAULT') {
  document.getElementById('placement-badge').textContent = config.placement;
}
if (config.installFinished) {
  banner('Application installation finished (install_finished=' + config.installFinished + ').', 'info');
}

const container = document.getElementById('app-container');
if (config.error) {
  container.appendChild(el('div', { className: 'b24-app-missing', text: 'The application is not shown: fix the scenario below and press Apply.' }));
} else {
  // The page's own layout: its frame is the first iframe of the page (frames[0]).
  state.mainLayout = createLayout({
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
    container,
    titleNode: document.getElementById('pagetitle'),
    scroller: null,
  });
  portal.auth = state.mainLayout.auth;
  startLayout(state.mainLayout);
}
refreshSummary();
initRestInspector();
initDev();
