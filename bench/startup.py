"""Cold-start benchmark: bare Pyodide vs the pyb24 demo, both in a cross-origin portal frame.

    .venv/bin/python bench/startup.py [--runs N]

Each load is a new page in one browser (warm HTTP cache, cold runtime), timed from the portal
page's navigation start to (a) Pyodide having run one line, (b) the demo's ``BX24.init()``
having resolved (the ``pyb24:init`` performance mark). Loads alternate a/b so both see the
same machine state; medians and their ratio are printed. Not a test: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from portal_emulator.chromium import launch_chromium
from portal_emulator.server import start_emulator

ROOT = Path(__file__).resolve().parents[1]

CASES = {
    "bare Pyodide": ("/bench/pages/bare-pyodide.html", "bench:ready"),
    "pyb24 demo": ("/index.html", "pyb24:init"),
}

MEASURE = """mark => new Promise(resolve => {
  const check = () => {
    const [entry] = performance.getEntriesByName(mark);
    if (entry) resolve(performance.timeOrigin + entry.startTime);
    else setTimeout(check, 5);
  };
  check();
})"""


def load_once(context, emulator, app: str, mark: str) -> float:
    page = context.new_page()
    try:
        page.goto(emulator.portal_url(app=app))
        started = page.evaluate("performance.timeOrigin")
        frame = page.wait_for_selector("iframe").content_frame()
        done = frame.evaluate(MEASURE, mark)
        return (done - started) / 1000
    finally:
        page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="measured loads per case")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        emulator = start_emulator(root=str(ROOT), db_path=str(Path(tmp) / "bench.sqlite3"))
        browser = launch_chromium(playwright)
        context = browser.new_context()
        try:
            for app, mark in CASES.values():  # warm the HTTP cache
                load_once(context, emulator, app, mark)
            times: dict[str, list[float]] = {name: [] for name in CASES}
            for _ in range(args.runs):
                for name, (app, mark) in CASES.items():
                    times[name].append(load_once(context, emulator, app, mark))
        finally:
            browser.close()
            emulator.stop()
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"cold start, cross-origin portal frame, {args.runs} loads each (median, min..max):")
    for name, values in times.items():
        print(f"  {name:14s} {medians[name]:.3f} s   ({min(values):.3f}..{max(values):.3f})")
    ratio = medians["pyb24 demo"] / medians["bare Pyodide"]
    print(f"  ratio pyb24/bare: {ratio:.3f}  (target <= 1.15)")


if __name__ == "__main__":
    main()
