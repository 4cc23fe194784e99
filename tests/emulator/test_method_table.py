"""The README's table of emulated methods is generated from the method table, and agrees."""

from pathlib import Path

from portal_emulator.__main__ import README_BEGIN, README_END, main
from portal_emulator.rest.methods import (
    ALL_SCOPES,
    METHODS,
    SCOPES,
    methods_markdown,
    scope_of,
)

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_lists_exactly_the_emulated_methods():
    text = README.read_text(encoding="utf-8")
    assert README_BEGIN in text and README_END in text
    block = text.split(README_BEGIN, 1)[1].split(README_END, 1)[0].lstrip("\n")
    assert block == methods_markdown(), (
        "README.md's method table is stale: run `python -m portal_emulator methods --readme`"
    )
    for name in METHODS:
        assert f"`{name}`" in block


def test_every_method_has_a_scope_the_portal_names():
    # the `scope` method answers SCOPES but basic; each method belongs to one of them
    assert {scope_of(name) for name in METHODS} <= set(SCOPES)
    assert set(SCOPES) - {"basic"} <= set(ALL_SCOPES)  # api-reference/scopes/permissions.md
    assert scope_of("crm.deal.get") == "crm" and scope_of("user.option.get") == "basic"
    assert scope_of("user.get") == "user" and scope_of("tasks.task.list") == "task"


def test_cli_prints_the_table(capsys):
    assert main(["methods", "--markdown"]) == 0
    assert capsys.readouterr().out == methods_markdown()
