// pyb24 page bootstrap: load PyScript so that it also boots where storage is denied.
//
// Why: PyScript 0.7 opens IndexedDB for its package cache while it starts. Inside a
// third-party iframe - which is what every Bitrix24 placement is - browsers that block
// third-party storage refuse `indexedDB.open` ("The user denied permission to access the
// database") and PyScript then waits forever: no error, no Python. So we probe IndexedDB
// first and, when it is refused, install an in-memory IndexedDB (fake-indexeddb) before
// PyScript's module is imported. The package cache is then per page load, which costs
// nothing here: pyb24 pages load no packages.
//
// Runtime assets: local copies (./dev installs them from pinned npm packages). To serve them
// from a CDN instead, point these two URLs (and `interpreter` in pyscript.toml) at it, e.g.
//   https://cdn.jsdelivr.net/npm/@pyscript/core@0.7.31/dist/core.js
//   https://cdn.jsdelivr.net/npm/fake-indexeddb@6.2.8/auto/index.mjs
const PYSCRIPT_CORE = new URL("./vendor/pyscript/core.js", import.meta.url).href;
const FAKE_INDEXEDDB = new URL("./vendor/fake-indexeddb/auto/index.mjs", import.meta.url).href;

// Resolves null when IndexedDB works, else the reason it was refused.
function indexedDBRefusal() {
  return new Promise((resolve) => {
    let request;
    try {
      request = indexedDB.open("pyb24-storage-probe");
    } catch (error) {
      resolve(String(error)); // SecurityError thrown synchronously, or no indexedDB at all
      return;
    }
    request.onsuccess = () => { request.result.close(); resolve(null); };
    request.onerror = (event) => { event.preventDefault(); resolve(String(request.error)); };
  });
}

performance.mark("pyb24:boot");
const refusal = await indexedDBRefusal();
if (refusal !== null) {
  await import(FAKE_INDEXEDDB);
}
window.pyb24Boot = { storage: refusal === null ? "indexeddb" : "memory", refusal };
await import(PYSCRIPT_CORE);
