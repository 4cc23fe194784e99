"""``pyb24 new``: the scaffold is small, complete, clean, and names no pyb24 module."""

import re
import subprocess
import sys
import tomllib

import pytest

from pyb24_toolkit import assets
from pyb24_toolkit.errors import ToolError
from pyb24_toolkit.scaffold import create_app

SCAFFOLD = [
    ".gitignore",
    "README.md",
    "app.py",
    "index.html",
    "pyscript.toml",
    "pytest.ini",
    "tests/test_app.py",
]


def test_new_writes_a_complete_app_folder(tmp_path):
    app = tmp_path / "myapp"
    written = create_app(app, placement="CRM_DEAL_DETAIL_TAB")
    assert sorted(p.relative_to(app).as_posix() for p in written) == SCAFFOLD
    assert "<title>myapp</title>" in (app / "index.html").read_text()
    assert '<script type="module" src="./static/pyb24-boot.js">' in (app / "index.html").read_text()
    test = (app / "tests/test_app.py").read_text()
    assert 'b24.open(placement="CRM_DEAL_DETAIL_TAB", options={"ID": "1"})' in test
    assert "{{" not in "".join(p.read_text() for p in written)
    assert "b24_app = ." in (app / "pytest.ini").read_text()


def test_the_scaffold_config_names_no_module_of_pyb24(tmp_path):
    create_app(tmp_path / "app")
    config = tomllib.loads((tmp_path / "app/pyscript.toml").read_text())
    assert config["files"] == {"./pyb24.zip": "./pyb24/*"}  # the archive, generated
    assert config["interpreter"] == "./static/pyb24-pyodide.mjs"  # with the start-up snapshot
    assert config["pyb24"] == {"snapshot_imports": []}
    text = (tmp_path / "app/pyscript.toml").read_text()
    for module in assets.library_files():
        assert module not in text


def test_default_placement_opens_the_default_placement(tmp_path):
    create_app(tmp_path / "app")
    test = (tmp_path / "app/tests/test_app.py").read_text()
    assert 'b24.open(placement="DEFAULT")' in test
    assert '"Placement DEFAULT on " in app.frame' in test


def test_scaffold_is_ruff_clean(tmp_path):
    create_app(tmp_path / "app", placement="CRM_DEAL_DETAIL_TAB")
    for command in (["check", "--no-cache", "--isolated"], ["format", "--check", "--isolated"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "--line-length", "100", "."],
            cwd=tmp_path / "app",
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("placement", ["crm_deal_detail_tab", "CRM DEAL", "", "1ABC"])
def test_a_bad_placement_is_refused(tmp_path, placement):
    with pytest.raises(ToolError, match="is not a placement code"):
        create_app(tmp_path / "app", placement=placement)
    assert not (tmp_path / "app").exists()


def test_never_writes_into_a_folder_that_has_files(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app/notes.txt").write_text("mine")
    with pytest.raises(ToolError, match="is not empty"):
        create_app(tmp_path / "app")
    assert [p.name for p in (tmp_path / "app").iterdir()] == ["notes.txt"]


def test_an_empty_folder_is_fine(tmp_path):
    (tmp_path / "app").mkdir()
    assert len(create_app(tmp_path / "app")) == len(SCAFFOLD)


def test_a_folder_name_that_cannot_be_a_title_is_refused(tmp_path):
    with pytest.raises(ToolError, match="letters, digits"):
        create_app(tmp_path / 'my"app')


def test_a_folder_name_longer_than_a_file_name_can_be_is_refused_by_name(tmp_path):
    target = tmp_path / ("a" * 300)
    says = re.escape(f"{target}: the folder name is 300 bytes") + ".*choose a shorter name"
    with pytest.raises(ToolError, match=says):
        create_app(target)
    assert list(tmp_path.iterdir()) == []
