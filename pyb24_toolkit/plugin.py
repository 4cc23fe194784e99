"""pytest plugin: test a pyb24 app inside the emulated portal, in Chromium.

Configure the app folder once (``b24_app = "."`` in the ini, or ``--b24-app DIR``), then::

    def test_shows_the_deal(b24):
        app = b24.open(placement="CRM_DEAL_DETAIL_TAB", options={"ID": "1"})
        app.frame.wait_for_selector("#title:text('Deal 1')")
        assert app.run(deal_title) == "Deal 1"      # a real function, run in the app frame

One emulated portal (two origins) and one Chromium per test session; a fresh page per
test; the portal's store back to its seed before every test. Fixtures: ``b24``,
``b24_emulator`` (the test app's emulated portal), ``b24_app_dir`` (the app folder of a test:
the nearest folder above it with index.html and pyscript.toml, else ``b24_app``; so an
example app's own tests/ test that example, and import its modules), ``b24_browser``,
``b24_context`` (session).
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .framehost import load_problem
from .startup import CHANGED, STATE, StartUp, failure, stalled

BOOT_TIMEOUT_MS = 100_000  # Pyodide boots in seconds, but a loaded 2-core CI machine is slow
_RUNNER = Path(__file__).with_name("frame_runner.py")
_DIALOG = ".b24-dialog-overlay"


class AppError(AssertionError):
    """An exception raised by a function run in the app frame, re-raised in the test.

    ``type`` is the app-side exception's name (``"pyb24.errors.RestError"``, ``"KeyError"``),
    ``message`` its text, ``app_traceback`` the traceback as the app saw it.
    """

    def __init__(self, type_: str, message: str, app_traceback: str) -> None:
        self.type = type_
        self.message = message
        self.app_traceback = app_traceback
        super().__init__(f"{type_}: {message}\n\nin the app frame:\n{app_traceback}".rstrip())


class FrameLoadError(AssertionError):
    """``b24.open()`` found the app page unserved: its host refused the portal's form POST
    (405/501), answered another error, or could not be reached. The message says what to do."""


# -- options and ini ------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("b24_app", "pyb24 app folder under test, relative to the ini file", default="")
    group = parser.getgroup("pyb24")
    group.addoption(
        "--b24-app",
        dest="b24_app",
        metavar="DIR",
        default=None,
        help="pyb24 app folder under test (overrides the b24_app ini value)",
    )


def _configured_app(config: pytest.Config) -> Path:
    option = config.getoption("b24_app")
    if option:
        return Path(option).resolve()
    value = config.getini("b24_app")
    if value:
        base = config.inipath.parent if config.inipath else config.rootpath
        return (base / value).resolve()
    raise pytest.UsageError(
        'pyb24: no app to test. Set b24_app = "." in the [tool.pytest.ini_options] of '
        "pyproject.toml (or pytest.ini), or pass --b24-app DIR."
    )


def _check_app(folder: Path) -> Path:
    if not (folder / "index.html").is_file():
        raise pytest.UsageError(f"pyb24: {folder} is not an app folder (it has no index.html)")
    return folder


# -- session fixtures -----------------------------------------------------------------------


def _enclosing_app(config: pytest.Config, test_file: Path) -> Path | None:
    """The nearest folder above ``test_file`` (up to the rootdir) with an ``index.html`` and
    a ``pyscript.toml``: the app whose own ``tests/`` the file is in."""
    for parent in test_file.resolve().parents:
        if (parent / "index.html").is_file() and (parent / "pyscript.toml").is_file():
            return parent
        if parent == config.rootpath:
            break
    return None


def _app_of_test(config: pytest.Config, test_file: Path) -> Path:
    """The app a test file belongs to: ``--b24-app`` if given, else the enclosing app folder
    (an app's own ``tests/``), else the ``b24_app`` ini value."""
    if not config.getoption("b24_app"):
        folder = _enclosing_app(config, test_file)
        if folder is not None:
            return folder
    return _check_app(_configured_app(config))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> None:
    """An app's tests import its modules as the app does (``from deals import ...``): the
    enclosing app folder goes on ``sys.path`` before the test module is imported."""
    if file_path.suffix == ".py":
        folder = _enclosing_app(parent.config, file_path)
        if folder is not None and str(folder) not in sys.path:
            sys.path.insert(0, str(folder))


@pytest.fixture
def b24_app_dir(request: pytest.FixtureRequest) -> Path:
    """The app folder this test's ``b24`` opens pages of (see ``_app_of_test``)."""
    return _app_of_test(request.config, request.path)


class _Emulators:
    """One emulated portal per app folder (usually one), started on first use, stopped at
    session end; the browser is shared."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self._factory = factory
        self._running: dict[Path, Any] = {}

    def get(self, folder: Path) -> Any:
        folder = _check_app(folder)
        if folder not in self._running:
            from portal_emulator.server import start_emulator

            from .assets import AssetError, ensure_runtime

            try:  # the pinned runtime, installed once per machine (as pyb24 dev does)
                ensure_runtime()
            except AssetError as exc:
                raise pytest.UsageError(f"pyb24: {exc}") from None
            db = self._factory.mktemp("b24-portal") / "portal.sqlite3"
            self._running[folder] = start_emulator(root=str(folder), db_path=str(db))
        return self._running[folder]

    def stop(self) -> None:
        for emulator in self._running.values():
            emulator.stop()
        self._running.clear()


@pytest.fixture(scope="session")
def _b24_emulators(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Emulators]:
    emulators = _Emulators(tmp_path_factory)
    yield emulators
    emulators.stop()


@pytest.fixture
def b24_emulator(_b24_emulators: _Emulators, b24_app_dir: Path) -> Any:
    """The emulated portal serving this test's app, the one ``b24`` opens pages in
    (``portal_emulator.server.Emulator``; one per app folder and session)."""
    return _b24_emulators.get(b24_app_dir)


@pytest.fixture(scope="session")
def b24_browser() -> Iterator[Any]:
    """Chromium, found as ``./dev test`` finds it (Playwright's, Debian's or $PYB24_CHROMIUM)."""
    from playwright.sync_api import sync_playwright

    from portal_emulator.chromium import launch_chromium

    with sync_playwright() as playwright:
        try:
            browser = launch_chromium(playwright)
        except Exception as exc:  # noqa: BLE001 - the message says what to do
            raise pytest.UsageError(
                f"pyb24: could not start Chromium ({exc}). Install it (Debian: apt-get install "
                "chromium; elsewhere: playwright install chromium) or set PYB24_CHROMIUM."
            ) from None
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def b24_context(b24_browser: Any) -> Iterator[Any]:
    """One browser context for the session: the HTTP cache stays warm between tests."""
    context = b24_browser.new_context()
    yield context
    context.close()


# -- the b24 fixture ------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A failed test that used ``b24`` gets a report section with what the app frames showed
    in their error boxes: an uncaught exception after start-up (a click handler's, say) is
    why a wait for the page timed out."""
    report = yield
    b24 = getattr(item, "funcargs", {}).get("b24")
    shown_already = call.excinfo is not None and call.excinfo.errisinstance(AppError)
    if report.failed and call.when == "call" and isinstance(b24, B24) and not shown_already:
        shown = _error_boxes(b24.page)
        if shown:
            report.sections.append(("pyb24: uncaught errors in the app frames", shown))
    return report


@pytest.fixture
def b24(b24_emulator: Any, b24_context: Any) -> Iterator[B24]:
    """A fresh portal page for this test; the store back to its seed."""
    emulator = b24_emulator
    emulator.reset()
    page = b24_context.new_page()
    page.set_default_timeout(BOOT_TIMEOUT_MS)  # waits in the app frame may span its boot
    try:
        yield B24(page, emulator)
    finally:
        page.close()


class B24:
    """The emulated portal as a test drives it: ``open()`` an app page in it."""

    def __init__(self, page: Any, emulator: Any, watch: _PageWatch | None = None) -> None:
        self.page = page
        self.emulator = emulator
        self._watch = watch or _PageWatch(page)

    @property
    def store(self) -> Any:
        """The portal's data, REST-shaped: ``add/get/update/delete/list(entity, ...)`` and
        ``call(method, params)`` run the emulated portal's own methods as the admin
        (``portal_emulator.rest.records.Records``); the store's other helpers too
        (``user(5)``, ``seed_deals(n)``)."""
        return self.emulator.records

    def open(
        self,
        page: str = "/index.html",
        admin: bool = True,
        placement: str = "DEFAULT",
        options: dict[str, Any] | None = None,
        first_run: bool = False,
        lang: str = "en",
        **knobs: Any,
    ) -> App:
        """Open the portal page with the app page ``page`` (a path in the app folder, or the
        URL of an app served elsewhere) in its frame, and wait until the app has started:
        its Python scripts have run, or its code runs and waits (for a person, an event).
        ``knobs`` are the portal's other scenario knobs (user, install, frame, hold, deny,
        expires, device).

        A page that fails to start raises :class:`AppError` as soon as that shows: an
        uncaught exception of its scripts (the traceback, with the app's file names and
        lines), a start-up failure the page reports (packages it cannot load), or a boot
        that stops making progress; the page's console errors come with it. A slow boot
        that makes progress is waited for."""
        __tracebackhide__ = True  # pytest shows the test's line, not the plugin's
        if "://" not in page and not page.startswith("/"):
            raise ValueError(f"page is a path like '/index.html' or a URL, got {page!r}")
        url = self.emulator.portal_url(
            app=page,
            admin=admin,
            placement=placement,
            placement_options=options,
            first_run=first_run,
            lang=lang,
            **knobs,
        )
        posted: list[Any] = []  # the frame's form POST (PROTOCOL.md §1.1), once it is sent

        def frame_post(request: Any) -> bool:
            return bool(request.method == "POST" and request.is_navigation_request())

        def seen(request: Any) -> None:
            if frame_post(request):
                posted.append(request)

        self._watch.console.clear()
        self.page.on("request", seen)
        try:
            self.page.goto(url)
            loaded = self._check_frame_load(posted, frame_post)
        finally:
            self.page.remove_listener("request", seen)
        app = App(self.page, self.emulator, self._watch)
        if loaded:
            _await_start_up(app.frame, self._watch)
        return app

    def _check_frame_load(self, posted: list[Any], frame_post: Callable[[Any], bool]) -> bool:
        """The app page answered the portal's form POST, or :class:`FrameLoadError` saying
        why the frame shows no app (a host that refuses POST: 405/501) and what to do."""
        app_url = self.page.evaluate(
            "() => window.portal?.config.error === null ? window.portal.config.appUrl : null"
        )
        if not app_url:
            return False  # a bad scenario: the portal shows why, and loads no frame
        page_url = app_url.split("?")[0]
        ours = [r for r in posted if r.url.split("?")[0] == page_url]
        if not ours:
            ours = [
                self.page.wait_for_event(
                    "request",
                    lambda r: frame_post(r) and r.url.split("?")[0] == page_url,
                    timeout=BOOT_TIMEOUT_MS,
                )
            ]
        response = ours[0].response()
        if response is None:
            failure = ours[0].failure or "no answer"
            raise FrameLoadError(f"cannot load {page_url} into the portal's frame: {failure}")
        problem = load_problem(page_url, response.status)
        if problem:
            raise FrameLoadError(problem)
        return True


class FrameRunner:
    """Runs real Python functions inside one pyb24 page (the app frame, or a slider's)."""

    def __init__(self, frame: Any, watch: _PageWatch | None = None) -> None:
        self.frame = frame
        self._watch = watch

    def run(self, func: Callable[..., Any], *args: Any) -> Any:
        """Run ``func(*args)`` in the page (awaited when it is async); return its JSON value.

        ``func`` must be a plain ``def``/``async def`` whose source is in a file (a test
        module): it is sent as source and runs in a fresh namespace, so it imports what it
        uses (``from pyb24 import BX24``); objects it keeps for a later run go on the module
        ``page_state`` (``import page_state``), which lives as long as the page. Arguments
        and the result go as JSON. An exception in the page is raised here as
        :class:`AppError` with the page's traceback."""
        __tracebackhide__ = True
        call = [*_function_source(func), json.dumps(args)]
        reply = self._ready().evaluate("a => window.__pyb24_run(...a)", call)
        return _unpack(reply)

    def start(self, func: Callable[..., Any], *args: Any) -> AppTask:
        """Start ``func(*args)`` in the page and return at once (e.g. before clicking in a
        dialog the function waits for); ``.result()`` waits for its value."""
        __tracebackhide__ = True
        call = [*_function_source(func), json.dumps(args)]
        frame = self._ready()  # the task lives in this frame (the page may navigate meanwhile)
        key = frame.evaluate("a => window.__pyb24_start(...a)", call)
        return AppTask(frame, key)

    def _ready(self) -> Any:
        """The page's frame, with the runner installed once Python is up."""
        __tracebackhide__ = True
        frame = self.frame
        _wait_for_document(frame)  # after a reload the frame may still be about:blank
        if frame.evaluate("() => window.__pyb24_run !== undefined"):
            return frame
        has_python = frame.evaluate(
            """code => {
                if (window.__pyb24_run) return true;
                if (!document.querySelector('script[type="py"]')) return false;
                if (!document.getElementById('pyb24-test-runner')) {
                    const script = document.createElement('script');
                    script.type = 'py';
                    script.id = 'pyb24-test-runner';
                    script.textContent = code;
                    document.body.appendChild(script);
                }
                return true;
            }""",
            _RUNNER.read_text(encoding="utf-8"),
        )
        if not has_python:
            raise AssertionError(f"{frame.url} is not a PyScript page (no <script type='py'>)")
        _await_start_up(frame, self._watch, until="window.__pyb24_run !== undefined")
        return frame


class AppTask:
    """A function started in the page with ``start()``."""

    def __init__(self, frame: Any, key: str) -> None:
        self._frame = frame
        self._key = key

    def done(self) -> bool:
        return bool(self._frame.evaluate("k => window.__pyb24_done(k)", self._key))

    def cancel(self) -> bool:
        """Cancel it in the page (as ``task.cancel()``); ``result()`` then raises."""
        return bool(self._frame.evaluate("k => window.__pyb24_cancel(k)", self._key))

    def result(self) -> Any:
        """Wait until it finishes; its value, or :class:`AppError`."""
        __tracebackhide__ = True
        return _unpack(self._frame.evaluate("k => window.__pyb24_result(k)", self._key))


class App(FrameRunner):
    """An app page open in the emulated portal (returned by ``b24.open()``)."""

    def __init__(self, page: Any, emulator: Any, watch: _PageWatch | None = None) -> None:
        self.page = page
        self.emulator = emulator
        self._watch = watch

    @property
    def frame(self) -> Any:  # type: ignore[override]
        """The app's frame (Playwright ``Frame``); a new one after the page reloads."""
        return _layout_frame(self.page, self.page.evaluate("() => window.portal?.appSid"))

    @property
    def store(self) -> Any:
        """As ``b24.store``."""
        return self.emulator.records

    def slider(self, index: int = -1) -> FrameRunner:
        """The app opened in a slider (``openApplication``): a runner for its frame."""
        self.page.wait_for_function("window.portal.layouts().length > 1")
        layout = self.page.evaluate("i => window.portal.layouts().slice(1).at(i)", index)
        return FrameRunner(_layout_frame(self.page, layout["appSid"]), self._watch)

    def messages(self, command: str | None = None, direction: str = "in") -> list[dict[str, Any]]:
        """The portal's protocol log: messages from the app (``"in"``) or replies to it
        (``"out"``), optionally of one command. Tokens are masked."""
        entries = self.page.evaluate("() => window.portal.log")
        return [
            e for e in entries if e["dir"] == direction and (command is None or e["cmd"] == command)
        ]

    def rest_calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """REST requests the app made (since the test started), oldest first, each a dict:
        ``method`` (``"crm.deal.update"``), ``params`` (decoded and nested as the method gets
        them: ``{"id": "1", "fields": {"STAGE_ID": "WON"}}``; no ``auth``), ``status`` (HTTP),
        ``error`` (the REST error code or None), ``request`` and ``response`` (the raw texts,
        tokens masked), ``ms``."""
        return [e for e in self.emulator.rest.log() if method is None or e["method"] == method]

    def fail_next(
        self,
        method: str | None = None,
        status: int = 500,
        code: str | None = None,
        description: str | None = None,
        count: int = 1,
    ) -> None:
        """The portal refuses the app's next call of ``method`` (None: any): HTTP ``status``
        with ``{"error": code, "error_description": description}`` (see the emulator's
        ``fail_next``)."""
        self.emulator.fail_next(method, status, code, description, count)

    def fire_event(self, name: str, payload: Any = None) -> int:
        """Fire a placement event (e.g. ``CallCard::CallStateChanged``) as the portal would;
        returns how many bindings got it."""
        return int(self.page.evaluate("a => window.portal.fireEvent(a[0], a[1])", [name, payload]))

    def answer_picker(self, value: str | int | list[str | int] | None) -> None:
        """Answer the open picker (selectUser, selectUsers, selectAccess, selectCRM) as the
        person would: tick the items with these ids (``5``, ``"U4"``, ``"D_1"``, or a list)
        and confirm; ``None`` closes it (the portal then never answers)."""
        page = self.page
        dialog = page.locator(_DIALOG).last
        dialog.wait_for()
        if value is None:
            dialog.locator(".b24-dialog-cancel").click()
            return
        for item_id in value if isinstance(value, list) else [value]:
            item = dialog.locator(f'.b24-dialog-item[data-id="{item_id}"]')
            tabs = dialog.locator(".b24-dialog-tab")
            for index in range(tabs.count()):
                if item.count():
                    break
                tabs.nth(index).click()
            if not item.count():
                raise AssertionError(f"the picker offers no item {item_id!r}")
            item.click()
        select = dialog.locator(".b24-dialog-select")
        if select.count() and dialog.is_visible():
            select.click()

    def set_rate_limit(self, on: bool = True, plan: str = "default") -> None:
        """The portal's REST rate limit: on or off; ``plan`` is ``"default"`` (50 burst,
        2/s) or ``"enterprise"`` (250 burst, 5/s)."""
        self.emulator.rest.configure(rate_limit=bool(on), plan=plan)

    def expire_tokens(self) -> int:
        """Expire every live access token now (the next REST call gets expired_token)."""
        return int(self.emulator.rest.expire_access_tokens())

    def notifications(self, user_id: int | None = None) -> list[dict[str, Any]]:
        """What the app sent with ``im.notify.system.add``/``im.notify.personal.add`` (to
        ``user_id``, or to anyone), oldest first: dicts with ``kind`` (system/personal),
        ``user_id``, ``from_user_id``, ``message``, ``tag``, ``attach``, ``sent_at``…"""
        from portal_emulator.rest.notify import sent

        return sent(self.emulator.store, user_id)


# -- helpers --------------------------------------------------------------------------------


class _PageWatch:
    """What a test's page shows besides its DOM: console errors (since the last ``open()``)
    and the requests its frames have in flight."""

    def __init__(self, page: Any) -> None:
        from portal_emulator.masking import mask_secrets

        self.console: list[tuple[str, str]] = []  # (text, where), tokens masked
        self._pending: set[Any] = set()

        def console(message: Any) -> None:
            if message.type == "error":
                where = mask_secrets(message.location.get("url") or "")
                self.console.append((mask_secrets(message.text), where))

        page.on("console", console)
        page.on("pageerror", lambda error: self.console.append((mask_secrets(str(error)), "")))
        page.on("request", lambda request: self._pending.add(request))
        page.on("requestfinished", lambda request: self._pending.discard(request))
        page.on("requestfailed", lambda request: self._pending.discard(request))

    def busy(self, frame: Any) -> bool:
        """A request of ``frame`` is in flight (its answer is still to come)."""
        return any(request.frame == frame for request in self._pending)


def _error_boxes(page: Any) -> str:
    """The text of every error box (``.py-error``) of the page's frames, Pyodide's own
    frames left out (``portal_emulator.devtools.tidy_traceback``), one frame after another."""
    from portal_emulator.devtools import tidy_traceback

    shown = []
    for frame in page.frames:
        try:
            texts = frame.evaluate(STATE)["errors"]
        except Exception:  # noqa: BLE001 - a frame gone or navigating has nothing to show
            continue
        shown += [f"{frame.url.split('?')[0]}:\n{tidy_traceback(text)}" for text in texts]
    return "\n\n".join(shown)


def _wait_for_document(frame: Any) -> None:
    frame.wait_for_function(  # the app's document, parsed (not the frame's first about:blank)
        "location.protocol.startsWith('http') && document.readyState !== 'loading'",
        timeout=BOOT_TIMEOUT_MS,
    )


def _await_start_up(frame: Any, watch: _PageWatch | None, until: str | None = None) -> None:
    """Wait while the page's start-up makes progress (``startup.StartUp``) until it is over,
    or until the JS expression ``until`` holds; :class:`AppError` when it failed or stalled."""
    __tracebackhide__ = True
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    _wait_for_document(frame)
    done = f"(() => {until})()" if until else "false"
    changed = f"(key) => ({done}) ? 'done' : ({CHANGED})(key)"
    start = StartUp(time.monotonic(), until_ready=until is not None)
    state = frame.evaluate(STATE)
    while not (until and frame.evaluate(done)):
        now = time.monotonic()
        verdict = start.observe(state, now, busy=bool(watch and watch.busy(frame)))
        if verdict == "ready":
            return
        if verdict in ("failed", "stalled"):
            console = watch.console if watch else []
            raise AppError(*(failure if verdict == "failed" else stalled)(state, console))
        try:
            seen = frame.wait_for_function(
                changed, arg=start.key, polling=100, timeout=start.patience(state, now) * 1000
            ).json_value()
        except PlaywrightTimeoutError:
            seen = frame.evaluate(STATE)
        if seen == "done":
            return
        state = seen


def _layout_frame(page: Any, app_sid: str | None) -> Any:
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    page.wait_for_function("() => window.portal && window.portal.appSid")
    if app_sid is None:
        app_sid = page.evaluate("() => window.portal.appSid")
    suffix = "|" + app_sid

    def is_layout(frame: Any) -> bool:
        return bool(frame.name.endswith(suffix) and frame.name.count("|") == 2)

    for frame in page.frames:
        if is_layout(frame):
            return frame
    # Not there yet: a cross-origin frame gets its name in Playwright when it first navigates.
    # (Sync API: no event is handled between the look above and the wait below.)
    try:
        return page.wait_for_event("framenavigated", is_layout, timeout=BOOT_TIMEOUT_MS)
    except PlaywrightTimeoutError:
        raise AssertionError(f"the portal page has no frame for layout {app_sid}") from None


def _function_source(func: Callable[..., Any]) -> tuple[str, str, str]:
    """(source padded so line numbers match the file, file name, function name)."""
    code = getattr(func, "__code__", None)
    if code is None or not inspect.isfunction(func):
        raise TypeError(f"run() takes a function defined with def, got {func!r}")
    if func.__name__ == "<lambda>":
        raise TypeError("run() takes a function defined with def, not a lambda")
    if code.co_freevars:
        raise TypeError(
            f"{func.__name__}() uses {', '.join(code.co_freevars)} from an enclosing function; "
            "a function run in the app frame gets only its arguments (pass them to run())"
        )
    lines, first = inspect.getsourcelines(func)
    source = textwrap.dedent("".join(lines))
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    body = source.splitlines(keepends=True)[node.lineno - 1 :]  # without decorators
    padding = "\n" * (first - 1 + node.lineno - 1)
    filename = inspect.getsourcefile(func) or "<test>"
    return padding + "".join(body), os.fspath(filename), func.__name__


def _unpack(reply: str) -> Any:
    __tracebackhide__ = True
    result = json.loads(reply)
    if result["ok"]:
        return result["value"]
    raise AppError(result["type"], result["message"], result["traceback"])
