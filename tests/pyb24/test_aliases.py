"""PEP 8 names: one table, each name the very same object as its BX24.js twin."""

import ast
from pathlib import Path

import pytest

from pyb24.aliases import ALIASES
from pyb24.facade import BX24Facade
from tests.support.fakes import INIT_DATA, FakeHost

ROOT = Path(__file__).resolve().parents[2]


async def bx24():
    host = FakeHost()
    bx24 = BX24Facade(host)
    host.reply("getInitData", INIT_DATA)
    await host.advance(0.05)
    return bx24


@pytest.mark.parametrize(
    ("table", "owner"),
    [("BX24", lambda b: b), ("placement", lambda b: b.placement), ("im", lambda b: b.im)],
)
async def test_every_alias_is_its_camel_case_twin(table, owner):
    target = owner(await bx24())
    for snake, camel in ALIASES[table].items():
        assert getattr(target, snake) == getattr(target, camel), snake


async def test_aliases_follow_attributes_rebound_at_init():
    host = FakeHost()
    b = BX24Facade(host)
    stub = b.user_option
    host.reply("getInitData", INIT_DATA)
    await host.advance(0.05)
    assert b.user_option is b.userOption and b.user_option is not stub
    assert b.get_lang() == "en" and b.is_admin() is True


def test_the_names_the_issue_lists_exist():
    wanted = {
        "call_method", "call_batch", "call_bind", "call_unbind", "get_auth", "refresh_auth",
        "is_admin", "get_lang", "get_domain", "install_finish", "user_option", "app_option",
        "resize_window", "fit_window", "set_title", "select_user", "select_users",
        "select_access", "select_crm", "open_application", "close_application", "open_path",
    }  # fmt: skip
    assert wanted <= set(ALIASES["BX24"])
    assert {"get_interface", "bind_event"} <= set(ALIASES["placement"])


def declared_aliases(module: str, cls: str) -> dict[str, str]:
    """The PEP 8 names ``cls`` declares for type checkers (its ``if TYPE_CHECKING:`` block):
    ``snake = camel`` lines and ``@property def snake(self): return self.camel``."""
    tree = ast.parse((ROOT / "pyb24" / f"{module}.py").read_text())
    body = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls).body
    block = next(
        n for n in body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"
    )
    found: dict[str, str] = {}
    for node in block.body:
        if isinstance(node, ast.Assign):
            [target] = node.targets
            assert isinstance(target, ast.Name) and isinstance(node.value, ast.Name)
            found[target.id] = node.value.id
        else:
            assert isinstance(node, ast.FunctionDef), ast.unparse(node)
            assert [ast.unparse(d) for d in node.decorator_list] == ["property"]
            [statement] = node.body
            assert isinstance(statement, ast.Return) and isinstance(statement.value, ast.Attribute)
            found[node.name] = statement.value.attr
    return found


@pytest.mark.parametrize(
    ("table", "module", "cls"),
    [("BX24", "facade", "BX24Facade"), ("placement", "placement", "Placement"),
     ("im", "messenger", "Messenger")],
)  # fmt: skip
def test_type_checkers_see_exactly_the_alias_table(table, module, cls):
    # The table makes the aliases at run time; the class declares them for mypy/pyright.
    assert declared_aliases(module, cls) == ALIASES[table]
