// pyb24 page bootstrap: load PyScript so that it also boots where storage is denied.
//
// Why: PyScript 0.7 opens IndexedDB for its package cache the moment its module is evaluated.
// Inside a third-party iframe - which is what every Bitrix24 placement is - browsers that
// block third-party storage refuse `indexedDB.open` ("The user denied permission to access
// the database") and PyScript then waits forever: no error, no Python. So we ask the browser
// first and, when it refuses, give PyScript an in-memory IndexedDB (fake-indexeddb) instead.
// The package cache is then per page load, which costs nothing here: pyb24 pages load no
// packages.
//
// To keep start-up fast, PyScript (and with it Pyodide) starts loading at once: until the
// answer is known, `indexedDB` is a stand-in whose `open()` waits for it and then forwards
// to the real IndexedDB or to fake-indexeddb. Everything after `open()` is the real thing.
//
// Runtime assets: local copies (./dev installs them from pinned npm packages). To serve them
// from a CDN instead, point these two URLs (and `interpreter` in pyscript.toml) at it, e.g.
//   https://cdn.jsdelivr.net/npm/@pyscript/core@0.7.31/dist/core.js
//   https://cdn.jsdelivr.net/npm/fake-indexeddb@6.2.8/auto/+esm
const PYSCRIPT_CORE = new URL("./vendor/pyscript/core.js", import.meta.url).href;
const FAKE_INDEXEDDB = new URL("./vendor/fake-indexeddb/auto.mjs", import.meta.url).href;

performance.mark("pyb24:boot");
// What this page's start-up did: storage ("indexeddb" | "memory") and its refusal, here;
// snapshot ("restored" | "absent" | "stale" | "failed: ..." | "off"), by ./pyb24-pyodide.mjs.
const boot = (window.pyb24Boot ??= {});
const nativeIndexedDB = globalThis.indexedDB;

// Resolves null when IndexedDB works, else the reason it was refused.
function indexedDBRefusal() {
  return new Promise((resolve) => {
    let request;
    try {
      request = nativeIndexedDB.open("pyb24-storage-probe");
    } catch (error) {
      resolve(String(error)); // SecurityError thrown synchronously, or no indexedDB at all
      return;
    }
    request.onsuccess = () => { request.result.close(); resolve(null); };
    request.onerror = (event) => { event.preventDefault(); resolve(String(request.error)); };
  });
}

// The IndexedDB factory this page will use: the browser's, or fake-indexeddb's (the import
// replaces the globals, which is what later code should see too).
const factory = indexedDBRefusal().then(async (refusal) => {
  Object.assign(boot, { storage: refusal === null ? "indexeddb" : "memory", refusal });
  if (refusal === null) {
    Object.defineProperty(globalThis, "indexedDB", { value: nativeIndexedDB, configurable: true, writable: true });
  } else {
    await import(FAKE_INDEXEDDB);
  }
  return globalThis.indexedDB;
});

// An IDBOpenDBRequest look-alike for the time before the factory is known.
class PendingOpenRequest extends EventTarget {
  #request = null;
  constructor(method, args) {
    super();
    this.onsuccess = this.onerror = this.onupgradeneeded = this.onblocked = null;
    factory.then((real) => {
      this.#request = real[method](...args);
      for (const type of ["success", "error", "upgradeneeded", "blocked"]) {
        this.#request.addEventListener(type, (event) => this.#forward(type, event));
      }
    });
  }
  get result() { return this.#request?.result; }
  get error() { return this.#request?.error ?? null; }
  get transaction() { return this.#request?.transaction ?? null; }
  get readyState() { return this.#request?.readyState ?? "pending"; }
  get source() { return null; }
  #forward(type, original) {
    const event = new Event(type, { cancelable: original.cancelable });
    if (type === "upgradeneeded") {
      Object.assign(event, { oldVersion: original.oldVersion, newVersion: original.newVersion });
    }
    this.dispatchEvent(event);
    this["on" + type]?.call(this, event);
    if (event.defaultPrevented) original.preventDefault();
  }
}

Object.defineProperty(globalThis, "indexedDB", {
  configurable: true,
  writable: true,
  value: {
    open: (...args) => new PendingOpenRequest("open", args),
    deleteDatabase: (...args) => new PendingOpenRequest("deleteDatabase", args),
    databases: () => factory.then((real) => real.databases()),
    cmp: (a, b) => nativeIndexedDB.cmp(a, b),
  },
});

// The page's Python scripts have all run (PyScript's py:all-done, an error included): the end of
// start-up for the pytest plugin's b24.open() and bench/startup.py.
addEventListener("py:all-done", () => performance.mark("pyb24:all-done"), { once: true });

// For ./pyb24-pyodide.mjs: PyScript's core module once it is in (its config read), as a promise
// (`core`: an early normal boot waits for it) and then itself (`pyscript`: its hooks, a check
// before the first script, and its config, whose `packages` switch the snapshot off). Not
// enumerable: window.pyb24Boot stays plain data.
const core = import(PYSCRIPT_CORE);
Object.defineProperty(boot, "core", { value: core });

// A page that preloads pyb24's interpreter module (<link rel="modulepreload">) has it evaluated
// now, beside PyScript's core: it starts Pyodide and the snapshot's download at once (see
// ./pyb24-pyodide.mjs), instead of when PyScript has read its config. Same URL, same module:
// PyScript's import of it later is this one.
for (const link of document.querySelectorAll('link[rel="modulepreload"]')) {
  if (new URL(link.href).pathname.endsWith("/pyb24-pyodide.mjs")) import(link.href).catch(() => {});
}

Object.defineProperty(boot, "pyscript", { value: await core });
performance.mark("pyb24:core"); // PyScript's core module is in (bench/startup.py phases)
