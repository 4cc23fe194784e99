"""``pyb24 new DIR``: a minimal app folder that runs, and whose test passes, as it is."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import ToolError

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "app"
PLACEMENT_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
APP_NAME = re.compile(r"[\w][\w .-]*")  # goes into HTML, Python and Markdown as it is
MAX_NAME = 255  # bytes in one file name on every common file system


def create_app(target: Path, placement: str = "DEFAULT") -> list[Path]:
    """Write the scaffold into ``target`` (new or empty); return the files written."""
    if not PLACEMENT_NAME.fullmatch(placement):
        raise ToolError(
            f"--placement {placement!r} is not a placement code "
            "(capitals, digits and _, e.g. CRM_DEAL_DETAIL_TAB)"
        )
    name = target.resolve().name
    if len(name.encode()) > MAX_NAME:
        raise ToolError(
            f"{target}: the folder name is {len(name.encode())} bytes, at most {MAX_NAME}: "
            "choose a shorter name"
        )
    if not APP_NAME.fullmatch(name):
        raise ToolError(
            f"{name!r} cannot name an app: use letters, digits, spaces, '.', '-' and '_'"
        )
    try:
        return _write(target, placement, name)
    except OSError as exc:  # /proc/x, /dev/null/x, afile/x, a read-only disk: one line
        reason = exc.strerror or type(exc).__name__
        where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(target) else ""
        raise ToolError(
            f"cannot create the app folder {target}: {reason}{where}: "
            "choose a folder you can write to"
        ) from None


def _write(target: Path, placement: str, name: str) -> list[Path]:
    if target.exists() and not target.is_dir():
        raise ToolError(f"{target} exists and is not a folder: choose a new folder name")
    if target.is_dir() and any(target.iterdir()):
        raise ToolError(f"{target} is not empty: choose a new folder name")
    values = {
        "name": name,
        "placement": placement,
        "open_args": _open_args(placement),
        "details": repr(_details(placement)).replace("'", '"'),
    }
    written = []
    for template in sorted(TEMPLATE_DIR.rglob("*")):
        if not template.is_file() or "__pycache__" in template.parts:
            continue
        relative = template.relative_to(TEMPLATE_DIR)
        file = target / relative.with_name(relative.name.removesuffix(".tmpl"))
        text = template.read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", value)
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")
        written.append(file)
    return written


def _open_args(placement: str) -> str:
    if placement.startswith("CRM_DEAL"):
        return f'placement="{placement}", options={{"ID": "1"}}'
    return f'placement="{placement}"'


def _details(placement: str) -> str:
    """What the scaffold's app shows under the greeting when opened as the test opens it."""
    if placement.startswith("CRM_DEAL"):
        return "Deal 1: Northwind Traders"  # deal 1 of the emulator's seed
    return f"Placement {placement} on "
