"""When the pytest plugin's b24.open() deems an app page started, failed or stuck
(pyb24_toolkit.startup): tied to the boot's progress, not to a clock."""

import json

from pyb24_toolkit.startup import IDLE_S, STALL_S, StartUp, failure, stalled, state_key

BOOT = ["pyb24:boot", "pyb24:core", "pyb24:snapshot-start", "pyb24:load"]
TRACEBACK = """Traceback (most recent call last):
  File "app.py", line 27, in main
    shw("greeting")
NameError: name 'shw' is not defined"""


def state(marks=(), loaded=3, errors=(), python=True):
    return {"python": python, "marks": list(marks), "loaded": loaded, "errors": list(errors)}


def test_a_slow_boot_that_makes_progress_is_waited_for_however_long():
    start = StartUp(0.0)
    now = 0.0
    for step in range(40):  # a file or a mark every 50 s: 2000 s in all, never stuck
        now += STALL_S - 10
        assert start.observe(state(BOOT[: 1 + step % 4], loaded=step), now) == "wait"


def test_a_boot_with_no_progress_before_the_app_runs_is_stalled():
    start = StartUp(0.0)
    assert start.observe(state(BOOT), 1.0) == "wait"
    assert start.patience(state(BOOT), 1.0) == STALL_S
    assert start.observe(state(BOOT), 1.0 + STALL_S - 0.1) == "wait"
    assert start.observe(state(BOOT), 1.0 + STALL_S) == "stalled"


def test_a_request_in_flight_is_progress():
    start = StartUp(0.0)
    assert start.observe(state(BOOT), 0.0) == "wait"
    assert start.observe(state(BOOT), STALL_S * 3, busy=True) == "wait"  # the wasm, slowly
    assert start.observe(state(BOOT), STALL_S * 4 - 1) == "wait"


def test_started_when_every_script_ran_or_the_app_waits_idle():
    assert StartUp(0.0).observe(state([*BOOT, "pyb24:all-done"]), 0.0) == "ready"
    assert StartUp(0.0).observe(state(python=False), 0.0) == "ready"  # not a PyScript page
    start = StartUp(0.0)
    running = state([*BOOT, "pyb24:script", "pyb24:session", "pyb24:init"])
    assert start.observe(running, 0.0) == "wait"
    assert start.patience(running, 0.5) == IDLE_S - 0.5
    assert start.observe(running, IDLE_S - 0.1) == "wait"
    assert start.observe(running, IDLE_S) == "ready"  # e.g. awaits a picker the test answers


def test_an_error_box_fails_at_once_and_names_the_exception_and_file():
    start = StartUp(0.0)
    assert start.observe(state([*BOOT, "pyb24:script"], errors=[TRACEBACK]), 0.0) == "failed"
    kind, message, shown = failure(state(errors=[TRACEBACK]), [])
    assert (kind, message) == ("NameError", "name 'shw' is not defined")
    assert 'File "app.py", line 27' in shown


def test_a_page_reported_failure_is_a_start_up_error_with_its_text():
    text = "pyb24: cannot load the package micropip:\n  Failed to fetch\nREADME"
    kind, message, shown = failure(state(errors=[text]), [("GET x.whl 404", "http://app/")])
    assert kind == "StartUpError" and message == "pyb24: cannot load the package micropip:"
    assert shown.startswith(text) and "  GET x.whl 404 (http://app/)" in shown


def test_console_errors_come_once_and_without_javascript_stacks():
    logged = "PythonError: " + TRACEBACK + "\n    at new_error (pyodide.asm.mjs:1:2)"
    console = [(logged, "core.js"), ("Uncaught TypeError: x\n    at f (a.js:1:1)", "a.js")]
    console.append(("Failed to load resource: 404 (Not Found)", "http://app/pyb24.snapshot"))
    _, _, shown = failure(state(errors=[TRACEBACK]), console)
    assert shown.count("NameError") == 1  # the box's; the console's copy is left out
    assert "  Uncaught TypeError: x (a.js)" in shown and "    at " not in shown
    assert "snapshot" not in shown  # an absent start-up snapshot is no error: the page boots


def test_a_stall_names_the_last_step_and_shows_the_console():
    kind, message, shown = stalled(state(BOOT), [("Failed to load resource: 404", "x.whl")])
    assert kind == "StartUpStalled" and "after pyb24:load" in message
    assert "Failed to load resource: 404 (x.whl)" in shown


def test_waiting_for_the_test_runner_ignores_errors_and_idleness_but_not_a_stall():
    start = StartUp(0.0, until_ready=True)
    crashed = state([*BOOT, "pyb24:script", "pyb24:all-done"], errors=[TRACEBACK])
    assert start.observe(crashed, 0.0) == "wait"  # the runner comes up in a crashed app too
    assert start.observe(crashed, STALL_S) == "stalled"


def test_the_state_key_is_what_the_frame_compares_with():
    # CHANGED compares JSON.stringify([marks, loaded, errors.length]) with it
    assert state_key(state(BOOT[:2], loaded=7, errors=["x"])) == json.dumps(
        [BOOT[:2], 7, 1], separators=(",", ":")
    )
