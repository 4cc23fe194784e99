"""An app folder as the tools see it: checked once, with one clear message per problem."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from .errors import ToolError

CONFIG_NAME = "pyscript.toml"


def checked_app_dir(path: str | Path) -> Path:
    """The app folder, resolved, or a ToolError saying what is wrong with it."""
    folder = Path(path).expanduser()
    if not folder.exists():
        raise ToolError(f"{path}: no such folder (create an app with: pyb24 new {path})")
    if not folder.is_dir():
        raise ToolError(f"{path} is not a folder")
    if not (folder / "index.html").is_file():
        raise ToolError(
            f"{path} has no index.html: an app folder holds the page the portal opens "
            f"(create one with: pyb24 new DIR)"
        )
    for config in configs(folder):
        read_config(config, folder)
    return folder.resolve()


def configs(folder: Path) -> list[Path]:
    """Every pyscript.toml of the app (dot-folders and tests/ are not part of the app)."""
    found = []
    for config in sorted(folder.rglob(CONFIG_NAME)):
        parts = config.relative_to(folder).parts
        if any(part.startswith(".") or part in ("tests", "node_modules") for part in parts):
            continue
        found.append(config)
    return found


def read_config(config: Path, folder: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(config.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        name = config.relative_to(folder).as_posix()
        raise ToolError(f"{folder.name}/{name} does not parse: {exc}") from None
    except UnicodeDecodeError:
        name = config.relative_to(folder).as_posix()
        raise ToolError(f"{folder.name}/{name} is not UTF-8 text") from None
