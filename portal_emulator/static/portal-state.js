// What every part of the portal page shares: the page config the server rendered, the live
// layouts, and `window.portal` — the page's test API (its names are a contract with the e2e
// suite and the pytest plugin).

export const config = JSON.parse(document.getElementById('portal-config').textContent);

export const denied = new Set(config.deny || []); // deny=... knob: commands refused
export const holdNames = new Set(config.hold || []); // hold=... knob: replies wait for Release

// layouts[0] is the page's own app frame (mainLayout); openApplication adds one per slider.
export const state = { layouts: [], mainLayout: null, held: [], sliders: [], sliderCount: 0 };

const publicConfig = { ...config };
delete publicConfig.auth; // the live tokens are portal.auth; no stale copy beside them

export const portal = {
  log: [], // every frame-protocol message, in and out (masked)
  auth: config.auth ? { ...config.auth } : null,
  appSid: config.appSid,
  appOrigin: config.appOrigin,
  config: publicConfig,
  foreignDone: false,
  toasts: [],
  placementValue: (config.placementOptions || {}).VALUE,
  appErrors: [], // uncaught exceptions the app reported (dev mode)
  appReloads: 0, // app frame reloads after a save (dev mode)
};
window.portal = portal;
