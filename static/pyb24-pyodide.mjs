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
// `pyb24 build` rewrites this name to pyb24-<content hash>.snapshot (cached for good).
const SNAPSHOT_URL = new URL("./vendor/pyb24/pyb24.snapshot", import.meta.url).href;
const MAGIC = "pyb24-snapshot1\n"; // file layout: see pyb24_snapshot/__init__.py

const boot = (globalThis.pyb24Boot ??= {});

// micropip packages are not in a snapshot (Pyodide 314 cannot put them there) and installing
// them into a restored heap is untested here (offline tests, no micropip in the npm Pyodide):
// pages that ask for packages boot the normal way. README "Start-up snapshot".
function switchedOff() {
  if (new URL(location.href).searchParams.get("pyb24-snapshot") === "off") return "off";
  return packagesOff();
}

function packagesOff() {
  const packages = boot.pyscript?.config?.py?.packages;
  return packages?.length ? "off: pyscript.toml has packages" : null;
}

// Started when this module is evaluated, so the download overlaps PyScript's own start-up.
// Resolves as soon as the header is in: the verdict, and (when it is ours) `payload`, a promise
// of the whole snapshot that loadPyodide hands to Pyodide while the rest still downloads.
performance.mark("pyb24:snapshot-start");
const offAtStart = switchedOff();
const download = offAtStart ? Promise.resolve({ status: offAtStart }) : fetchSnapshot();

const PAGE = 65536; // the file leaves out the snapshot's all-zero 64 KiB blocks (pyb24_snapshot)

async function fetchSnapshot() {
  let reader;
  try {
    // Plain name: the server revalidates it (ETag), so a rebuilt snapshot is picked up on the
    // next load; a built folder's hashed name never changes content, so it is never asked for.
    const response = await fetch(SNAPSHOT_URL);
    if (response.status === 404) return { status: "absent" };
    if (!response.ok) return { status: `failed: download: HTTP ${response.status}` };
    reader = response.body.getReader();
  } catch (error) {
    return { status: `failed: download: ${error}` };
  }
  // The head: MAGIC, u32 LE header length, the JSON header; then the stored blocks.
  let head = new Uint8Array(0);
  let chunk = null;
  const more = async () => {
    const { done, value } = await reader.read();
    return done ? null : value;
  };
  const need = async (length) => {
    while (head.length < length) {
      try {
        chunk = await more();
      } catch (error) {
        return `failed: download: ${error}`;
      }
      if (chunk === null) return head.length >= MAGIC.length + 4 ? "short" : "failed: not a pyb24 snapshot";
      const joined = new Uint8Array(head.length + chunk.length);
      joined.set(head);
      joined.set(chunk, head.length);
      head = joined;
    }
    return null;
  };
  let problem = await need(MAGIC.length + 4);
  if (problem || new TextDecoder().decode(head.subarray(0, MAGIC.length)) !== MAGIC) {
    return { status: problem && problem !== "short" ? problem : "failed: not a pyb24 snapshot" };
  }
  const length = new DataView(head.buffer).getUint32(MAGIC.length, true);
  const start = MAGIC.length + 4;
  problem = await need(start + length);
  if (problem) return { status: problem === "short" ? "failed: unreadable header" : problem };
  let header;
  try {
    header = JSON.parse(new TextDecoder().decode(head.subarray(start, start + length)));
  } catch (error) {
    return { status: `failed: unreadable header: ${error}` };
  }
  if (header.pyodide !== version) {
    reader.cancel().catch(() => {});
    return { status: "stale", why: `built for Pyodide ${header.pyodide}, this page runs ${version}` };
  }
  const payload = receive(header, head.subarray(start + length), more);
  payload.catch(() => {}); // loadPyodide reports it; never an unhandled rejection
  return { status: "restored", payload, header };
}

// The restored snapshot's length in bytes (its memory), zero blocks included.
function snapshotSize(header) {
  return header.size ?? header.payload; // format 1: nothing left out
}

// The snapshot as Pyodide wants it: stored blocks written straight to their place in one
// buffer as they arrive, the left-out blocks staying zero. Rejects with the reason when the
// file is short or does not match its header.
async function receive(header, first, more) {
  const size = snapshotSize(header);
  const runs = header.runs ?? [[0, Math.ceil(size / PAGE)]];
  const places = runs.map(([block, count]) => [block * PAGE, Math.min(count * PAGE, size - block * PAGE)]);
  const stored = places.reduce((sum, [, bytes]) => sum + bytes, 0);
  if (stored !== header.payload || places.some(([at, bytes]) => at < 0 || bytes <= 0)) {
    throw new Error("the header's blocks do not add up to its payload");
  }
  const memory = new Uint8Array(size);
  let received = 0;
  let place = 0;
  let offset = 0; // inside places[place]
  const put = (bytes) => {
    received += bytes.length;
    let at = 0;
    while (at < bytes.length && place < places.length) {
      const [target, room] = places[place];
      const take = Math.min(room - offset, bytes.length - at);
      memory.set(bytes.subarray(at, at + take), target + offset);
      at += take;
      offset += take;
      if (offset === room) [place, offset] = [place + 1, 0];
    }
  };
  put(first);
  for (;;) {
    let chunk;
    try {
      chunk = await more();
    } catch (error) {
      throw new Error(`download: ${error}`);
    }
    if (chunk === null) break;
    put(chunk);
  }
  performance.mark("pyb24:snapshot-end");
  if (received !== header.payload) throw new Error(`${received} of ${header.payload} bytes`);
  return memory;
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
__import__("js").performance.mark("pyb24:before-run")
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

// Pyodide starts before PyScript asks for it, with the options PyScript passes when it has no
// packages to install (its stdout and stderr, bound when PyScript asks). A page that preloads
// this module (<link rel="modulepreload">, as pyb24's pages do) has pyb24-boot.js evaluate it
// beside PyScript's core, so Pyodide comes up while PyScript loads, reads its config and sets
// up, instead of after:
// - the restore, as soon as the snapshot's header says it is ours. If PyScript then brings
//   other options, or its config, read after the restore began, switches the snapshot off
//   (packages), this restore is left unused (its CPU time wasted, once) and Pyodide starts anew
//   with PyScript's options;
// - a normal boot (no snapshot, stale, failed, switched off), once the page's config is known
//   to ask for no packages: at once when its text never says "packages" (`noPackagesSaid`),
//   else when PyScript's core has read it (pyb24-boot.js's `boot.core`). PyScript's call is
//   then the one it would have made, so nothing is ever started twice. No boot script, no
//   early normal boot.
const sinks = { stdout: (text) => console.log(text), stderr: (text) => console.warn(text) };
const EARLY_OPTIONS = new Set(["indexURL", ...Object.keys(sinks)]);
const early = download.then(async ({ status }) => {
  const wanted = status === "restored"
    ? !packagesOff() // PyScript's config may not be read yet: then it is checked when PyScript asks
    : boot.core && ((await noPackagesSaid()) || (await boot.core.then(() => !packagesOff())));
  if (!wanted) return null;
  const bound = Object.fromEntries(Object.keys(sinks).map((name) => [name, (text) => sinks[name](text)]));
  return startPyodide(bound, "early");
});
early.catch(() => {}); // a failure is PyScript's to see, when it asks for this start

// Whether the page's config, found as PyScript finds it (a <py-config>, else the `config` of
// its main <script type="py">: inline text, or a .toml/.json URL fetched), surely asks for no
// packages: there is none, or its text never says "packages". Anything unsure is false.
async function noPackagesSaid() {
  const [tag] = document.querySelectorAll("py-config");
  const script = document.querySelector('script[type="py"][config]:not([worker]), py-script[config]:not([worker])');
  let text = ((tag ? tag.getAttribute("src") || tag.textContent : script?.getAttribute("config")) ?? "").trim();
  if (!text.startsWith("{") && /\.(toml|json)(\?\S*)?$/.test(text)) {
    try {
      const response = await fetch(text);
      if (!response.ok) return false;
      text = await response.text();
    } catch {
      return false;
    }
  }
  return !text.includes("packages");
}

export async function loadPyodide(options = {}) {
  performance.mark("pyb24:asked");
  const { status } = await download;
  const takeEarly = Object.keys(options).every((name) => EARLY_OPTIONS.has(name))
    && (status !== "restored" || !switchedOff());
  if (takeEarly) for (const name of Object.keys(sinks)) if (options[name]) sinks[name] = options[name];
  const started = (takeEarly && (await early)) || (await startPyodide(options));
  performance.mark("pyb24:taken"); // PyScript has its Pyodide (bench/startup.py phases)
  const { pyodide, why } = started;
  report(started.status, why);
  // what the restored heap keeps for this page (archives, compiled scripts), else null
  const kept = started.status === "restored" ? pyodide.pyimport("_pyb24_snapshot") : null;
  if (kept) {
    registerRefresh(pyodide);
    unpackKept(pyodide, kept);
  }
  nameScripts(pyodide, kept);
  reportPackages(pyodide);
  return pyodide;
}

// Pyodide, restored from the snapshot when it is there and ours, with the path it took. `by`:
// who started it ("early", before PyScript asked, or "asked"), in the mark.
async function startPyodide(options, by = "asked") {
  performance.mark("pyb24:load", { detail: by });
  // PyScript derives indexURL from this module's URL; Pyodide's files are in ./vendor/pyodide/.
  const config = { ...options, indexURL: INDEX_URL };
  const off = switchedOff();
  const { status, why, payload, header } = off ? { status: off } : await download;
  if (status === "restored") {
    try {
      // Pyodide imports its module, instantiates its wasm and sets up its runtime with the
      // memory sized from the header (`_snapshotSize`: a runtime patch, pyb24_toolkit/assets.py)
      // while the snapshot downloads, then awaits the snapshot to restore it (a thenable: the
      // mark says when Pyodide got that far).
      const snapshot = {
        then(resolve, reject) {
          performance.mark("pyb24:pyodide-module");
          return payload.then(resolve, reject);
        },
      };
      const pyodide = await loadPinnedPyodide({
        ...config,
        _loadSnapshot: snapshot,
        _snapshotSize: snapshotSize(header),
      });
      performance.mark("pyb24:pyodide-ready");
      // Proves the restored heap is ours; writes back the files it keeps (PyScript's package
      // and its bytecode: the file system is not in the snapshot); reseeds `random`, whose
      // state the snapshot froze (every page load would otherwise draw the same numbers).
      pyodide.runPython("import _pyb24_snapshot as _s, random as _r\n_s.restore()\n_r.seed()\ndel _s, _r");
      return { pyodide, status };
    } catch (error) {
      const failed = `failed: ${String(error?.message ?? error).split("\n")[0]}`;
      return { pyodide: await loadPinnedPyodide(config), status: failed };
    }
  }
  return { pyodide: await loadPinnedPyodide(config), status, why };
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

// PyScript's [files] unpacks each archive ("./pyb24.zip" = "./pyb24/*") with Pyodide's
// unpackArchive: Python's zipfile, zlib and shutil, run (and their wasm compiled) for the first
// time on every page load. A restored snapshot keeps the library's archive and its members:
// when PyScript brings those very bytes, the members are written from the heap instead
// (_pyb24_snapshot.unpack); any other archive, or other bytes, is Pyodide's to unpack.
function unpackKept(pyodide, kept) {
  const unpack = pyodide.unpackArchive.bind(pyodide);
  pyodide.unpackArchive = (buffer, format, options = {}) => {
    const bytes = ArrayBuffer.isView(buffer)
      ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
      : new Uint8Array(buffer);
    if (format === "zip" && options.extractDir && kept.unpack(bytes, options.extractDir)) return;
    return unpack(buffer, format, options);
  };
}

// Tracebacks that name the app's files. PyScript runs every script's code as "<exec>" and the
// runtime's own frames (_pyodide/...) come first: here a script whose src is app.py
// runs as "app.py" (so Pyodide also shows its source lines, and functions defined in it carry
// the name into later tracebacks), and an error it raises loses the runtime's frames before
// PyScript shows it in the page (and `pyb24 dev` in the terminal). On a restored page, a script
// the snapshot compiled at build time (`kept.script`: the same text, Pyodide's own CodeRunner)
// runs that code, instead of Pyodide parsing and compiling it again (tokenize, ast, compile:
// code whose wasm the page would compile first).
function nameScripts(pyodide, kept) {
  const hooks = boot.pyscript?.hooks;
  if (!hooks) return;
  let current = null; // the file of the script PyScript is running now
  const enter = (wrap, element) => {
    const src = element?.getAttribute?.("src");
    current = src ? new URL(src, document.baseURI).pathname.replace(/^\//, "") : null;
    performance.mark("pyb24:script", { detail: current }); // the app's code begins
  };
  const leave = () => { current = null; };
  hooks.main.onBeforeRun.add(enter);
  hooks.main.onBeforeRunAsync.add(enter);
  hooks.main.onAfterRun.add(leave);
  hooks.main.onAfterRunAsync.add(leave);
  const named = (options) => (current && !options?.filename ? { ...options, filename: current } : options);
  const run = pyodide.runPython.bind(pyodide);
  const runAsync = pyodide.runPythonAsync.bind(pyodide);
  pyodide.runPython = (code, options) => {
    try {
      return run(code, named(options));
    } catch (error) {
      throw tidy(error);
    }
  };
  const runKept = async (runner, options) => {
    try {
      return await runner.run_async(options?.globals ?? pyodide.globals, options?.locals);
    } finally {
      runner.destroy();
    }
  };
  pyodide.runPythonAsync = (code, options) => {
    const given = named(options);
    const runner = kept && given?.filename ? kept.script(code, given.filename) : undefined;
    return (runner ? runKept(runner, given) : runAsync(code, given)).catch((error) => { throw tidy(error); });
  };
}

// A Python error without the frames of Pyodide running the code (each "  File ..." line
// under /_pyodide/ and the indented lines that belong to it).
function tidy(error) {
  if (error?.constructor?.name !== "PythonError" || typeof error.message !== "string") return error;
  const kept = [];
  let skipping = false;
  for (const line of error.message.split("\n")) {
    if (line.startsWith("  File ")) skipping = line.includes("/_pyodide/");
    else if (!line.startsWith("    ")) skipping = false;
    if (!skipping) kept.push(line);
  }
  error.message = kept.join("\n");
  return error;
}

// A package that cannot be loaded is said on the page. PyScript loads micropip for
// `packages` with Pyodide's loadPackage, which only logs a failure; PyScript then waits
// forever on "Loading...". Here the failure also goes into an error box like PyScript's own
// (so `pyb24 dev` prints it and the pytest plugin's b24.open() fails with it), with what to do.
const PACKAGES_HELP =
  "This Pyodide (pyb24's pinned npm package) holds no packages. Pure-Python wheels: serve them " +
  "with the app and list them in [files] of pyscript.toml (works offline and in tests). Pyodide's " +
  "own packages (numpy, matplotlib, ...) and micropip come from Pyodide's CDN: pyb24 build --cdn. " +
  'README "Packages".';

function reportPackages(pyodide) {
  const load = pyodide.loadPackage.bind(pyodide);
  pyodide.loadPackage = async (names, options = {}) => {
    const failed = [];
    const errorCallback = (message) => {
      failed.push(String(message));
      (options.errorCallback ?? console.error)(message);
    };
    const loaded = await load(names, { ...options, errorCallback });
    const wanted = [names].flat().map(String);
    const missing = wanted.filter((name) => !(name in pyodide.loadedPackages) && !name.includes("/"));
    if (failed.length && missing.length) {
      showError(`pyb24: cannot load the package${missing.length > 1 ? "s" : ""} ${missing.join(", ")}:\n`
        + `${failed.map((line) => `  ${line}`).join("\n")}\n${PACKAGES_HELP}`);
    }
    return loaded;
  };
}

function showError(text) {
  const box = document.createElement("div");
  box.className = "py-error"; // PyScript's own error box (its error plugin writes the same)
  box.textContent = text;
  box.style.cssText = "border:1px solid red;background:#fdd;color:#000;font-family:monospace;"
    + "white-space:pre-wrap;padding:8px;margin-top:8px";
  document.body.append(box);
  console.error(text);
}
