"""An app folder as the tools see it: checked once, with one clear message per problem."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from portal_emulator.appfiles import EmulatorError, check_app_folder, is_not_app

from .errors import ToolError

CONFIG_NAME = "pyscript.toml"


def checked_app_dir(path: str | Path) -> Path:
    """The app folder, resolved, or a ToolError saying what is wrong with it: the emulator's
    own check (a folder holding index.html), then every pyscript.toml must parse."""
    try:
        folder = check_app_folder(path)
    except EmulatorError as exc:
        raise ToolError(str(exc)) from None
    for config in configs(folder):
        read_config(config, folder)
    return folder


def app_files(folder: Path, skip: Path | None = None) -> Iterator[Path]:
    """The app's own files, sorted: nothing :func:`is_not_app` names (tests, tooling, caches,
    logs, dot-files, another app's folder, an earlier build), nothing under ``skip``."""
    for base, dirs, files in os.walk(folder):
        here = Path(base)
        dirs[:] = sorted(d for d in dirs if not is_not_app(here / d, folder) and here / d != skip)
        for name in sorted(files):
            if not is_not_app(here / name, folder):
                yield here / name


def configs(folder: Path) -> list[Path]:
    """Every pyscript.toml of the app."""
    return [file for file in app_files(folder) if file.name == CONFIG_NAME]


def read_config(config: Path, folder: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(config.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        name = config.relative_to(folder).as_posix()
        raise ToolError(f"{folder.name}/{name} does not parse: {exc}") from None
    except UnicodeDecodeError:
        name = config.relative_to(folder).as_posix()
        raise ToolError(f"{folder.name}/{name} is not UTF-8 text") from None
