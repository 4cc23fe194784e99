"""The pytest plugin's b24 fixture, as an app's own tests use it (pyb24_toolkit.plugin)."""

import subprocess
import sys

import pytest

from pyb24_toolkit.plugin import App, AppError
from pyb24_toolkit.scaffold import create_app

HARNESS = "/tests/e2e/apps/harness.html"


async def lang_and_placement(extra):
    from pyb24 import BX24

    await BX24.init()
    return {"lang": BX24.getLang(), "placement": BX24.placement.info(), "extra": extra}


def fails_in_the_app():
    raise KeyError("no such deal")


async def pick_a_user():
    from pyb24 import BX24

    await BX24.init()
    return await BX24.selectUser()


def test_run_returns_json_and_reraises_app_exceptions(b24):
    app = b24.open(HARNESS, placement="CRM_DEAL_DETAIL_TAB", options={"ID": "7"}, lang="de")
    result = app.run(lang_and_placement, {"n": [1, 2]})
    assert result == {
        "lang": "de",
        "placement": {"placement": "CRM_DEAL_DETAIL_TAB", "options": {"ID": "7"}},
        "extra": {"n": [1, 2]},
    }
    assert [e["cmd"] for e in app.messages()] == ["getInitData"]
    with pytest.raises(AppError) as failure:
        app.run(fails_in_the_app)
    assert failure.value.type == "KeyError" and "no such deal" in failure.value.message
    # The app's traceback names this file and line.
    line = fails_in_the_app.__code__.co_firstlineno + 1
    assert f'{__file__}", line {line}, in fails_in_the_app' in failure.value.app_traceback


def test_start_and_answer_picker(b24):
    app = b24.open(HARNESS)
    picked = app.start(pick_a_user)
    app.answer_picker(5)
    assert picked.result()["id"] == "5"
    waiting = app.start(pick_a_user)
    app.answer_picker(None)  # closed: the portal never answers
    assert not waiting.done()
    waiting.cancel()
    with pytest.raises(AppError, match="CancelledError"):
        waiting.result()


def test_run_refuses_closures():
    from pyb24_toolkit.plugin import FrameRunner

    outer = 1

    def uses_outer():
        return outer

    with pytest.raises(TypeError, match="outer"):
        FrameRunner(None).run(uses_outer)


async def two_calls():
    import asyncio

    from pyb24 import BX24

    await BX24.init()
    results = await asyncio.gather(BX24.callMethod("server.time"), BX24.callMethod("profile"))
    return [str(r.error()) if r.error() else None for r in results]


def test_rate_limit_and_token_expiry_knobs(b24):
    app = b24.open(HARNESS)
    app.set_rate_limit(plan="enterprise")
    config = b24.emulator.rest.config()
    assert config["rate_limit"] is True and config["burst"] == 250
    app.set_rate_limit(False)
    assert b24.emulator.rest.config()["rate_limit"] is False
    app.run(two_calls)
    assert app.expire_tokens() >= 1
    assert app.run(two_calls) == [None, None]
    assert len(app.messages("refreshAuth")) == 1
    assert [c["error"] for c in app.rest_calls()].count("expired_token") >= 1


# -- a page that fails to start: b24.open() says what broke, as soon as it shows --------------

CRASH = "/tests/e2e/apps/crash.html"


@pytest.mark.parametrize(
    ("page", "line", "source"),
    [
        (CRASH + "?at=import", 10, 'shw("booting")'),  # before BX24.init()
        (CRASH, 14, 'shw(me.data()["NAME"])'),  # after init and a REST call
    ],
)
def test_open_fails_with_the_apps_traceback_when_its_start_up_raises(b24, page, line, source):
    with pytest.raises(AppError) as failure:
        b24.open(page)
    error = failure.value
    assert error.type == "NameError" and "'shw' is not defined" in error.message
    frame = f'File "tests/e2e/apps/crash.py", line {line}, in <module>'
    assert frame in error.app_traceback and source in error.app_traceback  # its own source line
    assert "_pyodide" not in error.app_traceback and "<exec>" not in error.app_traceback
    # The frame's own error display shows the same traceback, with the same names.
    shown = App(b24.page, b24.emulator).frame.inner_text(".py-error")
    assert frame in shown and "_pyodide" not in shown


def test_open_fails_with_what_to_do_when_packages_cannot_load(b24):
    # packages.toml names a wheel; offline, PyScript cannot even load micropip to install it.
    with pytest.raises(AppError) as failure:
        b24.open("/tests/e2e/apps/packages.html")
    error = failure.value
    assert "cannot load the package micropip" in error.message
    assert 'README "Packages"' in error.app_traceback and "[files]" in error.app_traceback
    assert "console errors of the page" in error.app_traceback  # the 404 behind it


def _scaffold_test_run(app, *pytest_args):
    """``pytest`` on a scaffold app folder, as its author runs it (a hang fails here)."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(app), "-q", "-p", "no:cacheprovider", *pytest_args],
        cwd=app,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_a_scaffold_app_with_a_name_error_fails_its_own_test_with_the_traceback(tmp_path):
    # As an author meets it: `pyb24 new`, a typo in app.py, `pytest` on the app folder.
    app = tmp_path / "typo"
    create_app(app)
    source = (app / "app.py").read_text(encoding="utf-8")
    assert source.count('    show("greeting"') == 1
    (app / "app.py").write_text(source.replace('    show("greeting"', '    shw("greeting"'))
    line = source[: source.index('    show("greeting"')].count("\n") + 1
    run = _scaffold_test_run(app, "-k", "greets")  # before the fix: a 100 s Playwright timeout
    assert run.returncode == 1, run.stdout + run.stderr
    assert "AppError: NameError: name 'shw' is not defined" in run.stdout, run.stdout
    assert f'File "app.py", line {line}, in main' in run.stdout
    assert "Timeout" not in run.stdout and "plugin.py" not in run.stdout  # no plugin innards
    assert "uncaught errors in the app frames" not in run.stdout  # AppError says it already


def test_a_failed_test_shows_the_apps_uncaught_errors_after_start_up(tmp_path):
    # The app starts; a click handler then raises, and the test's wait for the page times out:
    # the failure report says why.
    app = tmp_path / "handler"
    create_app(app)
    source = (app / "app.py").read_text(encoding="utf-8")
    handler = (
        "\n\nfrom pyscript import when  # noqa: E402\n\n\n"
        '@when("click", "#greeting")\ndef greet_again(event):\n    shw("again")  # noqa: F821\n'
    )
    (app / "app.py").write_text(source + handler)
    line = (source + handler).count("\n")
    (app / "tests" / "test_click.py").write_text(
        "def test_click(b24):\n"
        "    app = b24.open()\n"
        '    app.frame.click("#greeting")\n'
        '    app.frame.wait_for_selector("#never-there", timeout=3000)\n'
    )
    run = _scaffold_test_run(app, "tests/test_click.py")
    assert run.returncode == 1, run.stdout + run.stderr
    report = run.stdout.split("pyb24: uncaught errors in the app frames", 1)[-1]
    assert "Timeout 3000ms exceeded" in run.stdout and report != run.stdout
    assert f'File "app.py", line {line}, in greet_again' in report
    assert "NameError: name 'shw' is not defined" in report and "_pyodide" not in report


def test_a_pure_python_wheel_served_with_the_app_works_offline(b24):
    # README "Packages": [files] unpacks it; no micropip, no network.
    app = b24.open("/tests/e2e/apps/wheel.html")
    assert app.frame.inner_text("#status") == "hello from a wheel, pyb24"
