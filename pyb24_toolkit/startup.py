"""When an app page's start-up is over, and what broke it: the pytest plugin's reading of a
pyb24 page while it boots. Pure: the plugin reads the frame (``STATE``) and asks
:class:`StartUp` what it means; nothing here touches a browser.

What the frame shows: whether it has Python scripts at all, the ``pyb24:*`` performance marks
its boot has set so far (``pyb24:boot``/``core`` in static/pyb24-boot.js, ``load``,
``pyodide-ready``, ``script`` in pyb24-pyodide.mjs, ``session``/``init`` in pyb24.facade,
``all-done`` when PyScript has run every script), how many resources it has loaded, and the
text of PyScript's error boxes (``.py-error``: an uncaught exception of a script, with its
traceback, or a start-up failure pyb24-pyodide.mjs reports there).

The wait is tied to the boot, not to a clock: while the page makes progress (a new mark, one
more file loaded, a request of the frame in flight) it may take as long as a loaded machine
needs. It is over when every script has run, or when the app's code is running and nothing
moves for ``IDLE_S`` (its start-up awaits a person or an event). It has failed when an error
box appears, or when nothing moves for ``STALL_S`` before any app code runs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

STALL_S = 60.0  # no progress at all before the app's code runs: the boot is stuck
IDLE_S = 2.0  # the app's code runs and nothing moves: its start-up is over, it waits

# Evaluated in the app's frame; the plugin hands the result to StartUp.observe().
STATE = """() => ({
  python: document.querySelector('script[type="py"], script[type="mpy"]') !== null,
  marks: performance.getEntriesByType("mark").map((m) => m.name)
    .filter((name) => name.startsWith("pyb24:")),
  loaded: performance.getEntriesByType("resource").length,
  errors: [...document.querySelectorAll(".py-error")].map((e) => e.textContent),
})"""

# Resolves to the state once it differs from the last one seen (``key``, as JSON).
CHANGED = (
    "(key) => { const s = ("
    + STATE
    + ")(); return JSON.stringify([s.marks, s.loaded, s.errors.length]) !== key && s; }"
)

_RUNNING = ("pyb24:script", "pyb24:session", "pyb24:before-run")  # the app's code has begun
_LAST_LINE = re.compile(r"^(?P<type>[A-Za-z_][\w.]*)(?::\s?(?P<message>.*))?$")


def state_key(state: dict[str, Any]) -> str:
    """The JSON the frame's ``CHANGED`` compares with (same fields, same separators)."""
    marks = json.dumps(state["marks"], separators=(",", ":"))
    return f"[{marks},{state['loaded']},{len(state['errors'])}]"


@dataclass
class StartUp:
    """One page's start-up, observed: feed it every state read, with the time (monotonic
    seconds) and whether a request of the frame is in flight; it says what to do next.

    ``until_ready=True`` is for a wait on something else the page will do (the plugin's test
    runner coming up): then errors and idleness are not the end, only a stall is."""

    now: float
    until_ready: bool = False
    _key: str | None = None
    _since: float = 0.0  # when the state last changed

    def __post_init__(self) -> None:
        self._since = self.now

    def observe(self, state: dict[str, Any], now: float, busy: bool = False) -> str:
        """``"failed"`` (an error box: :func:`failure` says what), ``"ready"`` (start-up is
        over), ``"stalled"`` (no progress for ``STALL_S`` before the app's code ran), or
        ``"wait"`` (look again within :meth:`patience` seconds)."""
        key = state_key(state)
        if key != self._key or busy:
            self._key, self._since = key, now
        quiet = now - self._since
        if self.until_ready:
            return "stalled" if quiet >= STALL_S else "wait"
        if state["errors"]:
            return "failed"
        if not state["python"] or "pyb24:all-done" in state["marks"]:
            return "ready"
        if self.running(state):
            return "ready" if quiet >= IDLE_S else "wait"
        return "stalled" if quiet >= STALL_S else "wait"

    def running(self, state: dict[str, Any]) -> bool:
        """The app's code has begun (so a quiet page is an app that waits, not a stuck boot)."""
        return not self.until_ready and any(mark in state["marks"] for mark in _RUNNING)

    def patience(self, state: dict[str, Any], now: float) -> float:
        """Seconds until the state, unchanged, would mean something (ready or stalled)."""
        limit = IDLE_S if self.running(state) else STALL_S
        return max(0.05, limit - (now - self._since))

    @property
    def key(self) -> str | None:
        return self._key


def failure(state: dict[str, Any], console: list[tuple[str, str]]) -> tuple[str, str, str]:
    """(exception type, message, what the page showed) for the plugin's ``AppError``: the
    error boxes' text (a traceback's last line names the exception), then the page's console
    errors."""
    shown = "\n\n".join(text.strip() for text in state["errors"] if text.strip())
    lines = shown.splitlines()
    match = _LAST_LINE.match(lines[-1]) if lines else None
    if match and "Traceback (most recent call last)" in shown:
        kind, message = match["type"], match["message"] or ""
    else:
        kind, message = "StartUpError", lines[0] if lines else "the app page showed an empty error"
    return kind, message, _with_console(shown, console)


def stalled(state: dict[str, Any], console: list[tuple[str, str]]) -> tuple[str, str, str]:
    """As :func:`failure`, for a boot that stopped before any app code ran."""
    after = state["marks"][-1] if state["marks"] else "the page's first script"
    message = (
        f"the app page's start-up stopped after {after}: nothing loaded and no progress for "
        f"{STALL_S:.0f} s (its console errors below say why)"
    )
    return "StartUpStalled", message, _with_console("", console)


def _with_console(text: str, console: list[tuple[str, str]]) -> str:
    """``text``, then the console errors (text, where) it does not already hold (a Python
    error PyScript logged besides its error box), without their JavaScript stack lines."""
    lines = []
    for entry, where in console:
        kept = [line for line in entry.splitlines() if not line.startswith("    at ")]
        last = next((line.strip() for line in reversed(kept) if line.strip()), "")
        if not last or last in text:
            continue
        if "404" in entry and where.split("?")[0].endswith(".snapshot"):
            continue  # the start-up snapshot is optional: a page without one boots normally
        if where:
            kept[-1] += f" ({where})"
        lines += [f"  {line}" for line in kept]
    if not lines:
        return text
    return (text + "\n\nconsole errors of the page:\n" + "\n".join(lines)).lstrip("\n")
