"""The emulator is layered model → store → REST → HTTP: each layer imports only downwards."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "portal_emulator"

# What each layer may import from portal_emulator (its own layer included).
ALLOWED = {
    "model": {"model"},
    "store": {"model", "store"},
    "rest": {"model", "store", "rest", "masking"},
}


def layer(module: str) -> str:
    """``portal_emulator.rest.crm`` -> ``rest``; ``portal_emulator.store`` -> ``store``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imported_modules(path: Path) -> set[str]:
    """Every portal_emulator module a file imports (relative imports resolved)."""
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    package = list(relative.parts[:-1]) if relative.name != "__init__" else list(relative.parts)
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            names = [f"{target}.{alias.name}" for alias in node.names]
            found.update(n for n in [target, *names] if n.startswith("portal_emulator."))
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("portal_emulator."))
    return found


def sources(layer_name: str) -> list[Path]:
    if layer_name == "store":
        return [PACKAGE / "store.py"]
    return sorted((PACKAGE / layer_name).glob("*.py"))


@pytest.mark.parametrize("layer_name", sorted(ALLOWED))
def test_each_layer_imports_only_downwards(layer_name):
    assert sources(layer_name)
    wrong = {
        f"{path.name} imports {module}"
        for path in sources(layer_name)
        for module in imported_modules(path)
        if layer(module) not in ALLOWED[layer_name]
    }
    assert not wrong, sorted(wrong)


def test_the_guard_sees_relative_imports():
    imports = imported_modules(PACKAGE / "rest" / "crm.py")
    assert "portal_emulator.model.crmfields" in imports
    assert layer("portal_emulator.model.crmfields") == "model"
