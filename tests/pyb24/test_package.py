"""The package's public face: ``pyb24.__all__`` is the user-facing API, typed (PEP 561)."""

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
    "OpenPathError",
    "NotInPortalError",
    "NotInitializedError",
    "ReplyTimeout",
    "ProtocolError",
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
