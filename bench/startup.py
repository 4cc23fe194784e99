"""Cold-start benchmark: bare Pyodide vs the pyb24 demo without and with the start-up snapshot.

    .venv/bin/python bench/startup.py [--runs N] [--cold-runs N]

Every load is a new page in a cross-origin portal frame, timed from the portal page's
navigation start to (a) Pyodide having run one line (``bench:ready``), (b) the demo's
``BX24.init()`` having resolved (the ``pyb24:init`` performance mark).

- warm HTTP cache, cold runtime: one browser context, each case loaded once to warm the
  cache, then ``--runs`` loads per case, alternating cases so all see the same machine state;
- first load, cold HTTP cache: a new browser context per load (``--cold-runs`` per case),
  with the bytes the app origin sent (encoded, headers included).

The demo without the snapshot is the same page with ``?pyb24-snapshot=off``; every load checks
``window.pyb24Boot.snapshot`` so a figure never silently measures the other path. Build the
snapshot first (``./dev test`` / ``./dev demo`` or ``python -m pyb24_snapshot``). Not a test:
the numbers vary by machine; the ratios are the point.
"""

from __future__ import annotations

import argparse
import statistics

from inportal import emulated_portal

# name: (app URL, the mark that ends the load, the snapshot path the page must report)
CASES = {
    "bare Pyodide": ("/bench/pages/bare-pyodide.html", "bench:ready", None),
    "demo, no snapshot": ("/index.html?pyb24-snapshot=off", "pyb24:init", "off"),
    "demo, snapshot": ("/index.html", "pyb24:init", "restored"),
}
TARGETS = {"demo, snapshot": 0.40, "demo, no snapshot": 1.15}

MEASURE = """mark => new Promise(resolve => {
  const check = () => {
    const [entry] = performance.getEntriesByName(mark);
    if (entry) resolve(performance.timeOrigin + entry.startTime);
    else setTimeout(check, 5);
  };
  check();
})"""


def load_once(context, emulator, case: str) -> tuple[float, int]:
    """Seconds to the case's mark, and the bytes the app origin sent for it."""
    app, mark, snapshot = CASES[case]
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    try:
        page.goto(emulator.portal_url(app=app))
        started = page.evaluate("performance.timeOrigin")
        frame = page.wait_for_selector("iframe").content_frame()
        done = frame.evaluate(MEASURE, mark)
        if snapshot is not None:
            took = frame.evaluate("window.pyb24Boot.snapshot")
            assert took == snapshot, f"{case}: the page reported snapshot={took!r}"
        sent = 0
        for request in finished:
            if request.url.startswith(emulator.app_origin):
                sizes = request.sizes()
                sent += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        return (done - started) / 1000, sent
    finally:
        page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="warm-cache loads per case")
    parser.add_argument("--cold-runs", type=int, default=2, help="first loads per case")
    args = parser.parse_args()
    warm: dict[str, list[float]] = {name: [] for name in CASES}
    cold: dict[str, list[tuple[float, int]]] = {name: [] for name in CASES}
    with emulated_portal() as (emulator, browser):
        for _ in range(args.cold_runs):
            for name in CASES:
                context = browser.new_context()  # an empty HTTP cache
                try:
                    cold[name].append(load_once(context, emulator, name))
                finally:
                    context.close()
        context = browser.new_context()
        for name in CASES:  # warm the HTTP cache
            load_once(context, emulator, name)
        for _ in range(args.runs):
            for name in CASES:
                warm[name].append(load_once(context, emulator, name)[0])
        context.close()

    medians = {name: statistics.median(values) for name, values in warm.items()}
    bare = medians["bare Pyodide"]
    print(f"cold runtime, warm HTTP cache, cross-origin portal frame, {args.runs} loads each")
    print("(median, min..max; ratio to bare Pyodide):")
    for name, values in warm.items():
        ratio = medians[name] / bare
        target = f"  (target <= {TARGETS[name]:.2f})" if name in TARGETS else ""
        print(
            f"  {name:18s} {medians[name]:.3f} s  ({min(values):.3f}..{max(values):.3f})"
            f"  ratio {ratio:.2f}{target}"
        )
    print(f"first load, cold HTTP cache, {args.cold_runs} load(s) each (median; app origin bytes):")
    for name, loads in cold.items():
        seconds = statistics.median(s for s, _ in loads)
        sent = statistics.median(b for _, b in loads)
        print(f"  {name:18s} {seconds:.3f} s  {sent / 1e6:.1f} MB transferred")


if __name__ == "__main__":
    main()
