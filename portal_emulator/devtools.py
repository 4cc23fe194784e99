"""Dev-server features of the emulated portal: what the portal page hears while you work.

* :class:`DevEvents` — a numbered list of events (``reload`` after a save, ``app-error`` for
  an uncaught Python exception in the app) that the portal page follows as a stream.
* :func:`inject_dev_client` — the one ``<script>`` the dev server adds to the app's HTML
  pages: it reports the app's uncaught Python exceptions (with their traceback) back to the
  emulator, which prints them and hands them to the portal page's inspector.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from .masking import mask_secrets

DEV_CLIENT_URL = "/portal/static/dev-client.js"
_DEV_CLIENT_TAG = f'<script type="module" src="{DEV_CLIENT_URL}"></script>'.encode()
_HEAD = re.compile(rb"<head\b[^>]*>", re.I)
_MAX_TEXT = 20_000  # characters of a traceback kept: enough for any real one


class DevEvents:
    """Events numbered from 1; readers wait for the ones after the last they saw."""

    def __init__(self, keep: int = 500) -> None:
        self._events: deque[dict[str, Any]] = deque(maxlen=keep)
        self._seq = 0
        self._closed = False
        self._changed = threading.Condition()

    @property
    def seq(self) -> int:
        """The number of the newest event (0: none yet)."""
        with self._changed:
            return self._seq

    @property
    def closed(self) -> bool:
        return self._closed

    def publish(self, kind: str, data: dict[str, Any]) -> int:
        with self._changed:
            self._seq += 1
            self._events.append({"seq": self._seq, "kind": kind, "data": data})
            self._changed.notify_all()
            return self._seq

    def after(self, seq: int, timeout: float = 0.0) -> list[dict[str, Any]]:
        """The events numbered above ``seq``, waiting up to ``timeout`` s for the first one."""
        with self._changed:
            self._changed.wait_for(lambda: self._seq > seq or self._closed, timeout=timeout)
            return [event for event in self._events if event["seq"] > seq]

    def close(self) -> None:
        """Wake every reader for good (the emulator stops)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()


def inject_dev_client(page: bytes) -> bytes:
    """``page`` with the dev client as the first script of its ``<head>`` (or in front)."""
    match = _HEAD.search(page)
    at = match.end() if match else 0
    return page[:at] + _DEV_CLIENT_TAG + page[at:]


def app_error(body: dict[str, Any], script: tuple[str, str] | None = None) -> dict[str, Any]:
    """The dev client's report, checked, tidied and masked: ``{appSid, page, message,
    traceback, t}``; ``script``: see :func:`tidy_traceback`."""

    def text(name: str) -> str:
        value = body.get(name)
        return mask_secrets(value[:_MAX_TEXT]) if isinstance(value, str) else ""

    report = {name: text(name) for name in ("appSid", "page", "message", "traceback")}
    report["traceback"] = tidy_traceback(report["traceback"], script)
    if not report["message"]:
        lines = report["traceback"].strip().splitlines()
        report["message"] = lines[-1] if lines else "uncaught error"
    report["t"] = int(time.time() * 1000)
    return report


_FRAME = re.compile(r'^  File "(?P<file>[^"]+)", line (?P<line>\d+)(?P<rest>.*)$')


@dataclass(frozen=True)
class PythonScript:
    """A PyScript script of a page that names its file."""

    src: str
    interpreter: str  # "py" (Pyodide) or "mpy" (MicroPython)
    worker: bool  # runs in a worker (the ``worker`` attribute), not on the page's thread


class _ScriptFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[PythonScript] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            kind = (attributes.get("type") or "").lower()
        elif tag in ("py-script", "mpy-script"):
            kind = tag.removesuffix("-script")
        else:
            return
        src = attributes.get("src")
        if kind in ("py", "mpy") and src:
            self.found.append(PythonScript(src, kind, "worker" in attributes))


def python_scripts(page: str) -> list[PythonScript]:
    """Every PyScript script of an HTML page with a ``src``, in order, as PyScript finds them:
    ``<script type="py">`` / ``type="mpy"``, ``<py-script>``, ``<mpy-script>``."""
    finder = _ScriptFinder()
    finder.feed(page)
    finder.close()
    return finder.found


def tidy_traceback(text: str, script: tuple[str, str] | None = None) -> str:
    """A Pyodide traceback as the app's author wants to read it: without the runtime's own
    frames (``_pyodide/…``) and — when the page runs one Python script, ``script`` = (its
    name, its source) — with PyScript's ``"<exec>"`` frames named and their line shown."""
    lines = text.splitlines()
    tidy: list[str] = []
    at = 0
    while at < len(lines):
        frame = _FRAME.match(lines[at])
        end = at + 1
        while frame and end < len(lines) and lines[end].startswith("    "):
            end += 1  # the frame's own lines: its source line, "...<9 lines>...", carets
        if frame is None:
            tidy.append(lines[at])
        elif "/_pyodide/" in frame["file"]:
            pass  # the runtime running the app's code: not the app's business
        elif frame["file"] == "<exec>" and script is not None:
            name, source = script
            number = int(frame["line"])
            tidy.append(f'  File "{name}", line {number}{frame["rest"]}')
            source_lines = source.splitlines()
            if end == at + 1 and 1 <= number <= len(source_lines):
                tidy.append("    " + source_lines[number - 1].strip())
            tidy.extend(lines[at + 1 : end])
        else:
            tidy.extend(lines[at:end])
        at = end
    return "\n".join(tidy)


def format_app_error(report: dict[str, Any]) -> str:
    """The report as the terminal shows it (tokens masked down to nothing)."""
    where = report["page"] or "the app"
    body = report["traceback"].rstrip() or report["message"]
    return mask_secrets(f"[app error] uncaught exception in {where}\n{body}\n", keep=0)
