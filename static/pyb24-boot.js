// pyb24 page bootstrap: load PyScript so that it also boots where storage is denied.
//
// Why: PyScript 0.7 opens IndexedDB for its package cache while it starts. Inside a
// third-party iframe - which is what every Bitrix24 placement is - browsers that block
// third-party storage refuse `indexedDB.open` ("The user denied permission to access the
// database") and PyScript then waits forever: no error, no Python. So we probe IndexedDB
// first and, when it is refused, install an in-memory IndexedDB (fake-indexeddb) before
// PyScript's module is imported. The package cache is then per page load, which costs
// nothing here: pyb24 pages load no packages.
const vendor = new URL("./vendor/", import.meta.url);

function indexedDBWorks() {
  return new Promise((resolve) => {
    let request;
    try {
      request = indexedDB.open("pyb24-storage-probe");
    } catch {
      resolve(false); // SecurityError thrown synchronously in some browsers
      return;
    }
    request.onsuccess = () => { request.result.close(); resolve(true); };
    request.onerror = (event) => { event.preventDefault(); resolve(false); };
  });
}

performance.mark("pyb24:boot");
const storage = typeof indexedDB !== "undefined" && (await indexedDBWorks()) ? "indexeddb" : "memory";
if (storage === "memory") {
  await import(new URL("fake-indexeddb/auto/index.mjs", vendor).href);
}
window.pyb24Boot = { storage };
await import(new URL("pyscript/core.js", vendor).href);
