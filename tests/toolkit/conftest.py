"""Toolkit tests run against a throw-away per-machine cache holding a tiny fake runtime.

The real runtime is 15 MB of Pyodide and PyScript; these tests check what the tools do with
it (copy, serve, rewrite), which a few small files show as well.
"""

import pytest

from pyb24_toolkit import assets

FAKE_RUNTIME = {
    "pyscript/core.js": "export {};\n",
    "pyscript/core-abc.js": "// a chunk\n",
    "pyodide/pyodide.mjs": "export const loadPyodide = () => 'http://localhost/in-vendor-is-fine';\n",
    "pyodide/python_stdlib.zip": "PK",
    "fake-indexeddb/auto.mjs": "export {};\n",
}


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty per-machine cache (PYB24_CACHE_DIR) with a fake runtime installed."""
    root = tmp_path / "cache"
    monkeypatch.setenv("PYB24_CACHE_DIR", str(root))
    vendor = assets.runtime_dir()
    for name, text in FAKE_RUNTIME.items():
        (vendor / name).parent.mkdir(parents=True, exist_ok=True)
        (vendor / name).write_text(text)
    (vendor.parent / "complete").write_text(assets.runtime_key())
    return root
