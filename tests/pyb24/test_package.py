"""The package's public face: ``pyb24.__all__`` is the user-facing API, typed (PEP 561)."""

import ast
import tomllib
from pathlib import Path

import pytest

import pyb24

ROOT = Path(__file__).resolve().parents[2]

USER_API = {
    "BX24",
    "AjaxResult",
    "AjaxError",
    "upload",
    "AuthData",
    "EventBinding",
    "EventUnbound",
    "Field",
    "Money",
    "OpenPathError",
    "PortalDeniedError",
    "PlacementInfo",
    "PlacementInterface",
    "NotInPortalError",
    "NotInitializedError",
    "ReplyTimeout",
    "SelectedAccess",
    "SelectedCrm",
    "SelectedUser",
    "ProtocolError",
    "B24Error",
    "B24AuthError",
    "B24AccessError",
    "B24NotFoundError",
    "B24RateLimitError",
    "B24OperationLimitError",
    "B24ServerError",
    "B24NetworkError",
}


def test_all_is_exactly_the_user_facing_api():
    assert len(pyb24.__all__) == len(set(pyb24.__all__))
    assert set(pyb24.__all__) == USER_API


def test_every_exported_name_but_the_browser_object_imports_under_cpython():
    for name in USER_API - {"BX24"}:
        assert getattr(pyb24, name).__name__ == name


def test_the_browser_object_outside_the_browser_says_how_to_test():
    with pytest.raises(ImportError, match="BX24Facade"):
        pyb24.BX24  # noqa: B018


def test_the_package_is_marked_typed_and_ships_the_marker():
    assert (ROOT / "pyb24" / "py.typed").is_file()
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "py.typed" in config["tool"]["setuptools"]["package-data"]["pyb24"]


CORE = sorted(p for p in (ROOT / "pyb24").glob("*.py") if p.name != "browser.py")
OFF_HOST = {"wait_for", "ensure_future", "get_event_loop", "get_running_loop", "create_task"}
OFF_HOST |= {"sleep", "run", "new_event_loop", "timeout"}


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_the_core_takes_time_tasks_and_the_browser_from_the_host(path):
    """Pure core (DESIGN.md): no browser imports, and every timer and task goes through the
    host, so the fake clock of the unit tests drives all of pyb24's time."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            names.append(getattr(node, "module", None) or "")
            roots = {name.split(".")[0] for name in names}
            assert not roots & {"js", "pyodide", "pyscript"}, f"{path.name}:{node.lineno}"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "asyncio":
                assert node.attr not in OFF_HOST, f"{path.name}:{node.lineno}: asyncio.{node.attr}"
