"""Start-up benchmark: what a portal user waits for when a pyb24 placement tab opens.

    .venv/bin/python bench/startup.py [--rounds N] [--cold-rounds N] [--no-build]
                                      [--quiet-below LOAD]

Every load is a new page of the emulated portal with the app in its cross-origin frame
(storage denied there: the fake-indexeddb path), timed from the portal page's navigation
start to the app's mark: ``bench:ready`` (the bare and floor pages ran one line of Python),
``pyb24:init`` (the demo's ``BX24.init()`` resolved). Four pages side by side:

- bare Pyodide: plain Pyodide, no snapshot, no PyScript (bench/pages/bare-pyodide.html);
- floor: the snapshot restored by the same interpreter module the pages use, no PyScript
  (bench/pages/floor.html): as fast as a pyb24 page can be without changing Pyodide;
- demo, no snapshot (``?pyb24-snapshot=off``) and demo, snapshot (the repo's index.html).

Warm: a persistent browser profile (``launch_persistent_context``: disk HTTP cache and V8's
code cache, as on a repeat visit), each page loaded once to fill it, then ``--rounds`` loads
of each, interleaved so all see the same machine state. Cold: a new empty profile per load
(``--cold-rounds`` of each), with the bytes the app origin sent on the wire (headers
included): from the emulator serving this checkout, and from a ``pyb24 build`` of it served
by the emulator (which sends a file's precompressed twin, brotli or gzip, as nginx's
``brotli_static``/``gzip_static`` do). The demo's phases come from its performance marks.

Every figure is printed with the load average when it was taken: on a busy machine the
absolute times (and, since the bare path is CPU-bound, the ratios) are not results. Every load
checks ``window.pyb24Boot.snapshot`` so a figure never silently measures the other path. Each
measured load starts once the 1-minute load average is under ``--quiet-below`` (1.0), so back-to-
back loads do not measure each other's tail: the defaults then take about five minutes on a
2-core machine that is otherwise idle. Not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import BrowserContext, sync_playwright

from portal_emulator.chromium import launch_persistent_chromium
from portal_emulator.server import Emulator, start_emulator

ROOT = Path(__file__).resolve().parents[1]

# name: (app URL, the mark that ends the load, the snapshot path the page must report)
CASES = {
    "bare Pyodide": ("/bench/pages/bare-pyodide.html", "bench:ready", None),
    "floor": ("/bench/pages/floor.html", "bench:ready", "restored"),
    "demo, no snapshot": ("/index.html?pyb24-snapshot=off", "pyb24:init", "off"),
    "demo, snapshot": ("/index.html", "pyb24:init", "restored"),
}
# (ratio to bare Pyodide, ratio to the floor) the issue asks for; None: no target
TARGETS = {"demo, snapshot": (0.35, 1.25), "demo, no snapshot": (1.15, None)}
FIRST_LOAD_TARGET_MB = 9.0

# (phase, from mark, to mark); "start" is the frame's own navigation start. A phase whose
# marks a page lacks is left out.
PHASES = [
    ("boot script", "start", "pyb24:boot"),
    ("PyScript core", "pyb24:boot", "pyb24:core"),
    ("PyScript to loadPyodide", "pyb24:core", "pyb24:asked"),
    # Pyodide's own track, from the start that pyb24-pyodide.mjs makes as soon as the
    # snapshot's header is in (beside PyScript's core, on a page that preloads the module)
    ("snapshot fetch", "pyb24:snapshot-start", "pyb24:snapshot-end"),
    ("Pyodide start", "pyb24:load", "pyb24:pyodide-module"),
    ("restore", "pyb24:restore-from", "pyb24:pyodide-ready"),
    # the tracks meet: what PyScript still waited for Pyodide, once it asked for it
    ("waiting for Pyodide", "pyb24:asked", "pyb24:taken"),
    ("PyScript post-load", "pyb24:taken", "pyb24:before-run"),
    ("app imports", "pyb24:before-run", "pyb24:session"),
    ("init round trip", "pyb24:session", "pyb24:init"),
]

MEASURE = """mark => new Promise(resolve => {
  const check = () => {
    const [entry] = performance.getEntriesByName(mark);
    if (!entry) { setTimeout(check, 5); return; }
    const marks = {};
    for (const m of performance.getEntriesByType("mark")) marks[m.name] ??= m.startTime;
    resolve({ origin: performance.timeOrigin, end: entry.startTime, marks,
              snapshot: window.pyb24Boot?.snapshot ?? null });
  };
  check();
})"""


QUIET_WAIT_S = 300  # the longest wait for the machine to be quiet before a load


def quiet(below: float) -> float:
    """Waits (at most QUIET_WAIT_S) until the 1-minute load average is under ``below``, so a
    load starts on a quiet machine rather than on the tail of the loads before it; returns the
    load average then. ``below`` 0: no wait."""
    deadline = time.monotonic() + QUIET_WAIT_S
    while below and os.getloadavg()[0] >= below and time.monotonic() < deadline:
        time.sleep(1)  # the kernel updates the load average every 5 s
    return os.getloadavg()[0]


def load_once(context: BrowserContext, emulator: Emulator, case: str, below: float = 0) -> dict:
    """One load: seconds to the case's mark, its phases and the marks they come from (in the
    frame's time), the bytes the app origin sent, and the load average (the higher of its
    start, after :func:`quiet`, and its end)."""
    app, mark, snapshot = CASES[case]
    before = quiet(below)
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    try:
        page.goto(emulator.portal_url(app=app))
        started = page.evaluate("performance.timeOrigin")
        frame = page.wait_for_selector("iframe").content_frame()
        assert frame is not None
        # the frame holds about:blank until the portal's form POST is answered
        frame.wait_for_url(lambda url: url.startswith(emulator.app_origin))
        seen = frame.evaluate(MEASURE, mark)
        if snapshot is not None:
            assert seen["snapshot"] == snapshot, f"{case}: the page reported {seen['snapshot']!r}"
        sent = 0
        files: dict[str, int] = {}  # app-origin path -> bytes on the wire (what makes `sent`)
        for request in finished:
            if request.url.startswith(emulator.app_origin):
                sizes = request.sizes()
                wire = sizes["responseBodySize"] + sizes["responseHeadersSize"]
                sent += wire
                path = request.url.removeprefix(emulator.app_origin).split("?")[0]
                files[path] = files.get(path, 0) + wire
        marks = {"start": 0.0, **seen["marks"]}
        if "pyb24:pyodide-module" in marks and "pyb24:snapshot-end" in marks:
            # the restore starts when Pyodide has its module and the snapshot is all in
            marks["pyb24:restore-from"] = max(
                marks["pyb24:pyodide-module"], marks["pyb24:snapshot-end"]
            )
        phases = {
            name: (marks[to] - marks[since]) / 1000
            for name, since, to in PHASES
            if since in marks and to in marks
        }
        total = (seen["origin"] + seen["end"] - started) / 1000
        load = max(before, os.getloadavg()[0])
        return {
            "seconds": total,
            "phases": phases,
            "marks": marks,
            "sent": sent,
            "files": files,
            "load": load,
        }
    finally:
        page.close()


@contextlib.contextmanager
def profile(playwright, folder: str) -> Iterator[BrowserContext]:
    context = launch_persistent_chromium(playwright, folder)
    try:
        yield context
    finally:
        context.close()


@contextlib.contextmanager
def serving(root: Path, tmp: Path, name: str) -> Iterator[Emulator]:
    emulator = start_emulator(root=str(root), db_path=str(tmp / f"{name}.sqlite3"))
    try:
        yield emulator
    finally:
        emulator.stop()


DEMO_FILES = ("index.html", "app.py", "demo_ui.py", "pyscript.toml", "static/app.css")


def built_app(tmp: Path) -> Path:
    """``pyb24 build`` of the demo app (its own files and its fresh snapshot, copied out of
    this checkout, whose examples and tests are not part of it), as a user uploads it."""
    import shutil

    from pyb24_toolkit.build import build

    app = tmp / "demo"
    for name in DEMO_FILES:
        (app / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, app / name)
    shutil.copytree(ROOT / "static/vendor/pyb24", app / "static/vendor/pyb24")
    return build(app, tmp / "dist", say=lambda _text: None).out


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} s ({min(values):.3f}..{max(values):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="warm loads of each page")
    parser.add_argument("--cold-rounds", type=int, default=1, help="first loads of each page")
    parser.add_argument("--no-build", action="store_true", help="skip the built folder's load")
    parser.add_argument(
        "--quiet-below",
        type=float,
        default=1.0,
        metavar="LOAD",
        help="start each measured load once the 1-minute load average is under LOAD "
        "(default 1.0; 0: no wait)",
    )
    args = parser.parse_args()
    warm: dict[str, list[dict]] = {name: [] for name in CASES}
    cold: dict[str, list[dict]] = {name: [] for name in CASES}
    built: list[dict] = []
    from pyb24_snapshot import ensure_snapshot

    ensure_snapshot(ROOT)  # before Playwright's loop starts: the build runs its own
    with tempfile.TemporaryDirectory() as tmp_text:
        tmp = Path(tmp_text)
        dist = None if args.no_build else built_app(tmp)
        run(args, tmp, dist, warm, cold, built)
    report(args, warm, cold, built)


def run(args, tmp: Path, dist: Path | None, warm: dict, cold: dict, built: list) -> None:
    with sync_playwright() as playwright:
        with serving(ROOT, tmp, "checkout") as emulator:
            for round_ in range(args.cold_rounds):
                for name in CASES:
                    with profile(
                        playwright, str(tmp / f"cold-{round_}-{len(cold[name])}-{name}")
                    ) as context:
                        cold[name].append(load_once(context, emulator, name, args.quiet_below))
            with profile(playwright, str(tmp / "warm")) as context:
                for name in CASES:  # fill the HTTP cache and the code cache
                    load_once(context, emulator, name)
                for _ in range(args.rounds):
                    for name in CASES:
                        warm[name].append(load_once(context, emulator, name, args.quiet_below))
        if dist is not None:
            with serving(dist, tmp, "dist") as emulator:
                for round_ in range(max(1, args.cold_rounds)):
                    with profile(playwright, str(tmp / f"built-{round_}")) as context:
                        built.append(
                            load_once(context, emulator, "demo, snapshot", args.quiet_below)
                        )


def report(
    args, warm: dict[str, list[dict]], cold: dict[str, list[dict]], built: list[dict]
) -> None:
    def seconds(loads: list[dict]) -> list[float]:
        return [load["seconds"] for load in loads]

    def loads_at(loads: list[dict]) -> str:
        values = [load["load"] for load in loads]
        return f"load {min(values):.1f}..{max(values):.1f}"

    medians = {name: statistics.median(seconds(loads)) for name, loads in warm.items()}
    bare, floor = medians["bare Pyodide"], medians["floor"]
    print(f"warm: persistent profile (HTTP cache + V8 code cache), {args.rounds} loads each")
    print("  (median (min..max); ratio to bare Pyodide, ratio to the floor; load average)")
    for name, loads in warm.items():
        to_bare, to_floor = medians[name] / bare, medians[name] / floor
        wanted = TARGETS.get(name)
        target = ""
        if wanted:
            target = f"  targets <= {wanted[0]:.2f}" + (
                f" / <= {wanted[1]:.2f}" if wanted[1] is not None else ""
            )
        print(
            f"  {name:18s} {spread(seconds(loads))}  x{to_bare:.2f} bare  x{to_floor:.2f} floor"
            f"{target}  [{loads_at(loads)}]"
        )
    print("phases of 'demo, snapshot', warm (median s; from performance marks):")
    demo = warm["demo, snapshot"]
    for name, _since, _to in PHASES:
        values = [load["phases"][name] for load in demo if name in load["phases"]]
        if values:
            print(f"  {name:24s} {statistics.median(values):.3f}  [{loads_at(demo)}]")
    print(f"cold: first load, empty profile, {args.cold_rounds} load(s) each (median)")
    for name, loads in cold.items():
        if not loads:
            continue
        sent = statistics.median(load["sent"] for load in loads)
        print(
            f"  {name:18s} {statistics.median(seconds(loads)):.3f} s  {sent / 1e6:5.1f} MB on the"
            f" wire (emulator, this checkout)  [{loads_at(loads)}]"
        )
    if built:
        sent = statistics.median(load["sent"] for load in built)
        print(
            f"  {'demo, built':18s} {statistics.median(seconds(built)):.3f} s  {sent / 1e6:5.1f} MB"
            f" on the wire (pyb24 build, served compressed; target <= {FIRST_LOAD_TARGET_MB:.0f}"
            f" MB)  [{loads_at(built)}]"
        )
        print("  what the built first load's bytes are (MB on the wire, largest first):")
        biggest = sorted(built[0]["files"].items(), key=lambda item: -item[1])
        for path, size in biggest[:6]:
            print(f"    {size / 1e6:6.2f}  {path}")
        rest = sum(size for _path, size in biggest[6:])
        print(f"    {rest / 1e6:6.2f}  {len(biggest) - 6} other files")


if __name__ == "__main__":
    main()
