"""Static checks on the app pages: every page gets all of pyb24 and loads nothing from a CDN."""

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCAFFOLD = ROOT / "pyb24_toolkit" / "templates" / "app"  # tested in tests/toolkit (no list)
# Apps of their own (served and built as a folder, like a scaffolded app): the app-relative
# layout (./pyb24.zip, ./static/…) is theirs; the other pages are served from this repo's root.
OWN_APPS = [ROOT / "examples" / "deal_tab", ROOT / "examples" / "deal_health"]
# The repo's own configs, tracked or new, never what a build or an install left in ignored
# folders (.venv, node_modules, build/, dist/).
_FILES = subprocess.run(
    ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*pyscript.toml"],
    cwd=ROOT,
    capture_output=True,
    text=True,
    check=True,
).stdout.split()
CONFIGS = sorted(ROOT / f for f in _FILES if SCAFFOLD not in (ROOT / f).parents)
PAGES = [
    ROOT / "index.html",
    SCAFFOLD / "index.html",
    *sorted((ROOT / "tests" / "e2e" / "apps").glob("*.html")),
    *sorted((ROOT / "examples").rglob("*.html")),
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_config_gets_pyb24_as_the_generated_archive(config):
    """No hand-kept list of pyb24's modules: the archive is made from the package."""
    data = tomllib.loads(config.read_text())
    base = config.parent
    served = base if base in OWN_APPS else ROOT  # the folder the dev server serves
    archive = {s: t for s, t in data["files"].items() if s.endswith("pyb24.zip")}
    assert len(archive) == 1 and list(archive.values()) == ["./pyb24/*"]
    assert (base / next(iter(archive))).resolve() == served / "pyb24.zip"  # served by the tools
    for source, target in data["files"].items():
        if source in archive:
            continue
        file = (base / source).resolve()
        assert file.is_file(), source
        assert file.parent != ROOT / "pyb24", f"{source}: pyb24 comes in the archive"
        # the app's own modules (demo_ui.py) sit beside the page, under their own name
        assert file.parent == base.resolve() and target == f"./{file.name}", source
    if base in OWN_APPS:  # the scaffold's runtime line (served by pyb24 dev, copied by build)
        assert data["interpreter"] == "./static/vendor/pyodide/pyodide.mjs"
        return
    # pyb24's Pyodide: the pinned one, started from the snapshot (README "Start-up snapshot")
    assert (base / data["interpreter"]).resolve() == ROOT / "static/pyb24-pyodide.mjs"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_pages_boot_through_pyb24_boot_and_use_no_cdn(page):
    html = page.read_text()
    assert re.search(r'<script type="module" src="[./]*static/pyb24-boot\.js"></script>', html)
    assert not re.search(r'(src|href)="(https?:)?//', html), "runtime assets must be local"
    assert 'pyscript/core.js"></script>' not in html, "PyScript must be imported by the boot script"
