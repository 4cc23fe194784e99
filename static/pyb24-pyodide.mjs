// pyb24's Pyodide for PyScript: the pinned Pyodide, started from pyb24's memory snapshot.
//
// `interpreter` in pyscript.toml names this module; PyScript imports it and calls its
// `loadPyodide` (and reads `version`). We pass the snapshot through: Python comes up with
// the stdlib modules pyb24 needs and pyb24's pure core already imported, in a fraction of
// the normal boot time. The snapshot is built by `python -m pyb24_snapshot` (./dev does it)
// into ./vendor/pyb24/pyb24.snapshot; see README "Start-up snapshot".
//
// Never worse than a normal boot: when the snapshot is absent, built for another Pyodide
// ("stale"), damaged or fails to restore ("failed: ..."), Pyodide boots normally and the
// console says why, once. `window.pyb24Boot.snapshot` tells which path the page took:
// "restored", "absent", "stale", "failed: <why>", "off" (`?pyb24-snapshot=off` in the page's
// URL; to switch it off for good, point `interpreter` at ./vendor/pyodide/pyodide.mjs), or
// "off: pyscript.toml has packages".
import { loadPyodide as loadPinnedPyodide, version } from "./vendor/pyodide/pyodide.mjs";

export { version };

const INDEX_URL = new URL("./vendor/pyodide/", import.meta.url).href;
const SNAPSHOT_URL = new URL("./vendor/pyb24/pyb24.snapshot", import.meta.url).href;
const MAGIC = "pyb24-snapshot1\n"; // file layout: see pyb24_snapshot/__init__.py

const boot = (globalThis.pyb24Boot ??= {});

// micropip packages are not in a snapshot (Pyodide 314 cannot put them there) and installing
// them into a restored heap is untested here (offline tests, no micropip in the npm Pyodide):
// pages that ask for packages boot the normal way. README "Start-up snapshot".
function switchedOff() {
  if (new URL(location.href).searchParams.get("pyb24-snapshot") === "off") return "off";
  const packages = boot.pyscript?.config?.py?.packages;
  return packages?.length ? "off: pyscript.toml has packages" : null;
}

// Started when this module is evaluated, so the download overlaps PyScript's own start-up.
const offAtStart = switchedOff();
const download = offAtStart ? Promise.resolve({ status: offAtStart }) : fetchSnapshot();

async function fetchSnapshot() {
  let bytes;
  try {
    // The server revalidates it (ETag): a rebuilt snapshot is picked up on the next load.
    const response = await fetch(SNAPSHOT_URL);
    if (response.status === 404) return { status: "absent" };
    if (!response.ok) return { status: `failed: download: HTTP ${response.status}` };
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    return { status: `failed: download: ${error}` };
  }
  const head = new TextDecoder().decode(bytes.subarray(0, MAGIC.length));
  if (bytes.length < MAGIC.length + 4 || head !== MAGIC) {
    return { status: "failed: not a pyb24 snapshot" };
  }
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(MAGIC.length, true);
  const start = MAGIC.length + 4;
  let header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(start, start + length)));
  } catch (error) {
    return { status: `failed: unreadable header: ${error}` };
  }
  if (header.pyodide !== version) {
    return { status: "stale", why: `built for Pyodide ${header.pyodide}, this page runs ${version}` };
  }
  const payload = bytes.subarray(start + length);
  if (payload.length !== header.payload) {
    return { status: `failed: ${payload.length} of ${header.payload} bytes` };
  }
  return { status: "restored", payload, header };
}

function report(status, why) {
  boot.snapshot = status;
  if (status === "restored") {
    console.info("pyb24: started from the snapshot");
  } else if (status.startsWith("off")) {
    const what = status === "off" ? "switched off (?pyb24-snapshot=off)" : status;
    console.info(`pyb24: snapshot ${what}; normal boot`);
  } else {
    console.warn(`pyb24: snapshot ${status}${why ? ` (${why})` : ""}; normal boot`);
  }
}

// The page's files are in place once PyScript runs its first script: a restored snapshot
// then drops its copies of the app modules whose file changed since it was built.
const REFRESH = `
import sys as _sys
if "_pyb24_snapshot" in _sys.modules:
    _changed = _sys.modules["_pyb24_snapshot"].refresh()
    if _changed:
        import js as _js
        _js.console.warn("pyb24: the snapshot is older than " + ", ".join(_changed)
                         + ": reimported the app modules (rebuild it: python -m pyb24_snapshot)")
        _js.pyb24Boot.reimported = _js.JSON.parse(__import__("json").dumps(_changed))
        del _js
    del _changed
del _sys
`;

export async function loadPyodide(options = {}) {
  // PyScript derives indexURL from this module's URL; Pyodide's files are in ./vendor/pyodide/.
  const config = { ...options, indexURL: INDEX_URL };
  const off = switchedOff();
  const { status, why, payload } = off ? { status: off } : await download;
  if (status === "restored") {
    try {
      const pyodide = await loadPinnedPyodide({ ...config, _loadSnapshot: payload });
      // Proves the restored heap is ours; reseeds `random`, whose state the snapshot froze
      // (every page load would otherwise draw the same numbers).
      pyodide.runPython("import _pyb24_snapshot as _s, random as _r\n_r.seed()\ndel _s, _r");
      report(status);
      registerRefresh(pyodide);
      return pyodide;
    } catch (error) {
      report(`failed: ${String(error?.message ?? error).split("\n")[0]}`);
      return loadPinnedPyodide(config);
    }
  }
  report(status, why);
  return loadPinnedPyodide(config);
}

function registerRefresh(pyodide) {
  // PyScript runs `codeBeforeRun(Async)` hooks before each script; pyb24-boot.js put them in.
  const hooks = boot.pyscript?.hooks;
  if (hooks) {
    hooks.main.codeBeforeRun.add(REFRESH);
    hooks.main.codeBeforeRunAsync.add(REFRESH);
  } else {
    pyodide.runPython(REFRESH); // no hooks: at least the caches are right
  }
}
