"""Start-up snapshot: every page starts from it by default, and boots normally without it.

Each fallback is provoked on the wire (Playwright answers the snapshot request), so the page
under test is the real one: the cross-origin app frame, storage denied (fake-indexeddb path).
"""

import io
import zipfile

import pytest

from pyb24_snapshot import BLOCK, _pack, plan_snapshot, read_header
from pyb24_toolkit.assets import library_archive_bytes
from tests.e2e.conftest import BOOT_TIMEOUT_MS, ROOT, Portal

SNAPSHOT = "**/static/vendor/pyb24/pyb24.snapshot"
INIT = "from pyb24 import BX24\nawait BX24.init()\nBX24.getLang()"


# who started Pyodide on this page, in order: "early" (before PyScript asked) or "asked"
STARTS = """() => performance.getEntriesByName("pyb24:load").map(mark => mark.detail)"""


def boot_state(frame) -> dict:
    frame.wait_for_function("window.pyb24Boot?.snapshot !== undefined", timeout=BOOT_TIMEOUT_MS)
    return frame.evaluate("({...window.pyb24Boot})")


def snapshot_lines(page) -> list[str]:
    lines: list[str] = []
    page.on("console", lambda m: m.text.startswith("pyb24: ") and lines.append(m.text))
    return lines


def test_the_harness_starts_from_the_snapshot_and_pyscript_works(portal):
    lines = snapshot_lines(portal.page)
    portal.open()
    state = boot_state(portal.app)
    assert state["snapshot"] == "restored" and state["storage"] == "memory"
    result = portal.python(
        """
import sys
from_snapshot = "pyb24.rest" in sys.modules and "_pyb24_snapshot" in sys.modules
fresh = "fractions" in sys.modules            # not in the snapshot: imported from the stdlib
import fractions
from pyscript import document, window, when  # PyScript's own package, written at start-up
clicks = []
button = document.createElement("button")
button.id = "snap-button"
document.body.append(button)
when("click", "#snap-button")(lambda event: clicks.append(event.type))
button.click()
from pyb24 import BX24                        # browser.py: from the page's [files]
await BX24.init()
import random
{"from_snapshot": from_snapshot, "fresh": fresh, "draw": random.random(),
 "half": str(fractions.Fraction(1, 2)),
 "clicks": clicks, "same_window": window.location.href == document.location.href,
 "lang": BX24.getLang()}
"""
    )
    draw = result.pop("draw")
    assert result == {
        "from_snapshot": True,
        "fresh": False,
        "half": "1/2",
        "clicks": ["click"],
        "same_window": True,
        "lang": "en",
    }
    assert lines == ["pyb24: started from the snapshot"]  # said once
    assert "reimported" not in state
    portal.open()  # `random` is reseeded after each restore: no sequence frozen in the snapshot
    assert portal.python("import random\nrandom.random()") != draw


# In a page: valid(name), whether the module's import used the hash-checked .pyc beside its
# source (the bytecode a restored snapshot writes back), not bytecode compiled on the page.
CHECKED_BYTECODE = """
import importlib.util, sys
def valid(name):  # the hash-checked .pyc beside the source matches it: the import used it
    module = sys.modules[name]
    try:
        data = open(module.__cached__, "rb").read()
    except OSError:
        return False
    source = open(module.__file__, "rb").read()
    checked_hash = int.from_bytes(data[4:8], "little") == 0b11
    return checked_hash and data[8:16] == importlib.util.source_hash(source)
"""
PYSCRIPT_BYTECODE = (
    CHECKED_BYTECODE
    + """
import os
modules = sorted(n for n, m in sys.modules.items() if n.split(".")[0] == "pyscript"
                 and (getattr(m, "__file__", None) or "").startswith(os.getcwd() + "/pyscript/"))
{"modules": len(modules), "compiled": sorted(name for name in modules if not valid(name))}
"""
)


PYSCRIPT_TEXTS = """
import os
{os.path.join(root, name)[2:]: open(os.path.join(root, name), encoding="utf-8").read()
 for root, _dirs, names in os.walk("./pyscript") for name in names if name.endswith(".py")}
"""


def test_a_normal_boot_has_pyscripts_package_written_as_pyscript_writes_it(portal):
    # With no snapshot, the files are written from JavaScript (RUNTIME_PATCHES), not by the
    # Python program PyScript generates: the same texts, and `pyscript` imports from them.
    portal.open(app="/tests/e2e/apps/harness.html?pyb24-snapshot=off")
    assert portal.python(PYSCRIPT_TEXTS) == plan_snapshot(ROOT).pyscript
    assert portal.python("from pyscript import document\ndocument.title") == "pyb24 e2e harness"


def test_a_restored_page_imports_pyscript_from_the_bytecode_the_snapshot_kept(portal):
    portal.open()
    assert boot_state(portal.app)["snapshot"] == "restored"
    result = portal.python(PYSCRIPT_BYTECODE)
    assert result["modules"] >= 10 and result["compiled"] == []
    portal.open(app="/tests/e2e/apps/harness.html?pyb24-snapshot=off")  # a normal boot
    assert boot_state(portal.app)["snapshot"] == "off"
    result = portal.python(PYSCRIPT_BYTECODE)
    assert result["modules"] >= 10 and len(result["compiled"]) == result["modules"]


PYSCRIPT_FILES = """
import os, sys
kept = sys.modules.get("_pyb24_snapshot")
written = dict(kept.WRITTEN) if kept else {}
files = sorted(os.path.join(root, name)[2:] for root, _dirs, names in os.walk("./pyscript")
               for name in names if name.endswith(".py"))
{"files": len(files), "rewritten": [f for f in files if os.stat(f).st_mtime != written.get(f)]}
"""


def test_pyscript_does_not_write_its_package_again_on_a_restored_page(portal):
    # PyScript's core (patched at install: pyb24_toolkit.assets.RUNTIME_PATCHES) finds the
    # files the snapshot wrote back byte for byte as it would write them, and only imports.
    portal.open()
    assert boot_state(portal.app)["snapshot"] == "restored"
    result = portal.python(PYSCRIPT_FILES)
    assert result["files"] >= 10 and result["rewritten"] == []
    assert (
        portal.python(
            "from pyscript import display, document\n"
            "document.body.append(target := document.createElement('div'))\n"
            "target.id = 'shown'\ndisplay('shown by display', target='shown')\n"
            "document.querySelector('#shown').textContent"
        )
        == "shown by display"
    )


LIBRARY_FILES = """
import io, os, sys, zipfile
from pyodide.http import pyfetch
kept = sys.modules.get("_pyb24_snapshot")
data = await (await pyfetch("../../../pyb24.zip")).bytes()  # as its pyscript.toml names it
with zipfile.ZipFile(io.BytesIO(data)) as archive:
    members = {item.filename: archive.read(item) for item in archive.infolist()}
same = all(open(os.path.join("pyb24", name), "rb").read() == body for name, body in members.items())
{"unpacked": list(kept.UNPACKED) if kept else None, "members": len(members), "same": same}
"""


def test_a_restored_page_writes_the_library_archive_from_the_snapshot(portal):
    # PyScript's [files] "./pyb24.zip" = "./pyb24/*": the bytes it fetched are those the
    # snapshot kept, so the members come from the heap, not from Pyodide's unpackArchive.
    portal.open()
    assert boot_state(portal.app)["snapshot"] == "restored"
    result = portal.python(LIBRARY_FILES)
    assert result["unpacked"] == ["pyb24"] and result["members"] >= 10 and result["same"]
    portal.open(app="/tests/e2e/apps/harness.html?pyb24-snapshot=off")  # Pyodide unpacks it
    result = portal.python(LIBRARY_FILES)
    assert result["unpacked"] is None and result["members"] >= 10 and result["same"]


def _compiled_at_build_time(checked_bytecode: str) -> dict:
    """In the demo's frame: what of its Python the page parsed and compiled itself
    (``checked_bytecode``: CHECKED_BYTECODE, the check the harness tests run too)."""
    import sys

    check: dict = {}
    exec(checked_bytecode, check)
    main = sys.modules["__main__"]
    kept = sys.modules["_pyb24_snapshot"]
    return {
        "scripts left": len(kept.SCRIPTS),
        "app.py": main.render.__code__.co_filename,
        "bytecode": {name: check["valid"](name) for name in ("demo_ui", "pyb24.browser")},
    }


def test_a_restored_page_runs_its_script_and_glue_compiled_at_build_time(b24):
    # app.py (the demo page's script) ran the code the snapshot compiled, named as the page
    # names it; demo_ui.py and pyb24/browser.py (not imported in the snapshot) came from
    # their kept bytecode, checked against the sources the page wrote.
    app = b24.open()
    assert app.frame.evaluate("window.pyb24Boot.snapshot") == "restored"
    assert app.run(_compiled_at_build_time, CHECKED_BYTECODE) == {
        "scripts left": 0,
        "app.py": "app.py",
        "bytecode": {"demo_ui": True, "pyb24.browser": True},
    }


@pytest.mark.parametrize(("frame", "storage"), [("cross", "memory"), ("same", "indexeddb")])
def test_the_demo_starts_from_the_snapshot_with_or_without_storage(portal, frame, storage):
    portal.open(app="/index.html", frame=frame)
    app = portal.app
    app.wait_for_selector("#app:not([hidden])", timeout=BOOT_TIMEOUT_MS)  # top-level await
    state = boot_state(app)
    assert (state["snapshot"], state["storage"]) == ("restored", storage)
    app.click("#refresh-auth")  # a pyscript.when handler, answered by the portal
    # the handler's last word; before it runs the status is empty, then "refreshing…"
    app.wait_for_function(
        "['new token received', 'the portal did not answer']"
        ".includes(document.querySelector('#refresh-status').textContent)"
    )
    assert app.inner_text("#refresh-status") == "new token received"


@pytest.mark.parametrize("query", ["", "?pyb24-snapshot=off"])
def test_a_page_that_preloads_the_module_starts_pyodide_once_before_pyscript_asks(portal, query):
    """The demo preloads pyb24-pyodide.mjs: Pyodide starts (restored, or a normal boot once
    PyScript's config is read) without waiting for PyScript's call, and PyScript's call takes
    that start instead of making another."""
    portal.open(app="/index.html" + query)
    app = portal.app
    app.wait_for_selector("#app:not([hidden])", timeout=BOOT_TIMEOUT_MS)
    assert boot_state(app)["snapshot"] == ("off" if query else "restored")
    assert app.evaluate(STARTS) == ["early"]


def test_the_example_app_starts_from_the_snapshot(portal):
    portal.open(app="/examples/userfield/index.html", placement="USERFIELD_TYPE")
    assert boot_state(portal.app)["snapshot"] == "restored"


def _small_snapshot(body: bytes, **changes) -> bytes:
    """A snapshot file with our header (changed as asked) around ``body``."""
    header = read_header(plan_snapshot(ROOT).path) | {"payload": len(body)} | changes
    header |= {"size": header["payload"], "runs": [[0, -(-header["payload"] // BLOCK)]]}
    return _pack(header, body)


def _serving(make_body):
    def answer(route):
        route.fulfill(status=200, body=make_body(), content_type="application/octet-stream")

    return answer


FALLBACKS = {  # case: (how the snapshot request is answered, the status the page reports)
    "absent": (lambda route: route.fulfill(status=404, body="no such file"), "absent"),
    "stale": (_serving(lambda: _small_snapshot(b"\0" * 64, pyodide="0.27.7")), "stale"),
    "not a snapshot": (_serving(lambda: b"<html>oops</html>"), "failed: not a pyb24 snapshot"),
    "truncated": (
        _serving(lambda: _small_snapshot(b"\0" * 64, payload=4096)),
        "failed: 64 of 4096 bytes",
    ),
    "corrupt": (_serving(lambda: _small_snapshot(bytes(range(256)) * 64)), "failed: "),
    "download error": (lambda route: route.abort("connectionreset"), "failed: download: "),
}


@pytest.mark.parametrize("case", FALLBACKS)
def test_without_a_usable_snapshot_the_page_boots_normally_and_says_why_once(portal, case):
    answer, expected = FALLBACKS[case]
    portal.page.route(SNAPSHOT, answer)
    lines = snapshot_lines(portal.page)
    portal.open()
    assert portal.python(INIT) == "en"
    state = boot_state(portal.app)
    assert state["snapshot"].startswith(expected), state["snapshot"]
    assert state["storage"] == "memory"  # storage denied: the fake-indexeddb path
    assert portal.python("import sys\n'_pyb24_snapshot' in sys.modules") is False
    assert len(lines) == 1 and lines[0].startswith(f"pyb24: snapshot {state['snapshot']}")
    if case == "corrupt":  # Pyodide itself refused the bytes
        assert "magic" in state["snapshot"] or "build id" in state["snapshot"]


def _edited_library_archive() -> bytes:
    """The library archive the pages get, with protocol.py edited after the snapshot's build."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(library_archive_bytes())) as original:
        with zipfile.ZipFile(buffer, "w") as edited:
            for item in original.infolist():
                data = original.read(item)
                if item.filename == "protocol.py":
                    data += b"\nEDITED_AFTER_THE_BUILD = True\n"
                edited.writestr(item, data)
    return buffer.getvalue()


def _archive_names() -> list[str]:
    with zipfile.ZipFile(io.BytesIO(library_archive_bytes())) as archive:
        return archive.namelist()


def test_a_module_edited_since_the_build_is_imported_from_the_page_not_the_snapshot(portal):
    body = _edited_library_archive()
    portal.page.route(
        "**/pyb24.zip",
        lambda route: route.fulfill(body=body, content_type="application/zip"),
    )
    lines = snapshot_lines(portal.page)
    portal.open()
    result = portal.python(
        INIT + "\nimport pyb24.protocol\n[BX24.getLang(), pyb24.protocol.EDITED_AFTER_THE_BUILD]"
    )
    assert result == ["en", True]
    state = boot_state(portal.app)
    assert state["snapshot"] == "restored" and state["reimported"] == ["pyb24.protocol"]
    # other bytes than the snapshot kept: Pyodide unpacked them, the heap's copy stayed unused
    assert portal.python(LIBRARY_FILES) == {
        "unpacked": [],
        "members": len(_archive_names()),
        "same": True,
    }
    assert any("reimported" in line and "pyb24.protocol" in line for line in lines)


def test_switched_off_by_the_page_url(portal):
    portal.open(app="/tests/e2e/apps/harness.html?pyb24-snapshot=off")
    assert portal.python(INIT) == "en"
    assert boot_state(portal.app)["snapshot"] == "off"


def test_a_page_with_micropip_packages_boots_without_the_snapshot(portal):
    lines = snapshot_lines(portal.page)
    portal.open(app="/tests/e2e/apps/packages.html")
    assert boot_state(portal.app)["snapshot"] == "off: pyscript.toml has packages"
    # (micropip is not here offline: the line saying so may come too, before or after open())
    said = [line for line in lines if line.startswith("pyb24: snapshot")]
    assert said == ["pyb24: snapshot off: pyscript.toml has packages; normal boot"]
    assert portal.app.evaluate(STARTS) == ["asked"]  # PyScript's start only, no restore beside it


@pytest.fixture(scope="module")
def built_demo(tmp_path_factory):
    """The demo as ``pyb24 build`` ships it (its snapshot named by its content), served by an
    emulator of its own, as bench/startup.py loads it."""
    from bench.startup import built_app
    from portal_emulator.server import start_emulator

    tmp = tmp_path_factory.mktemp("built")
    dist = built_app(tmp)
    emulator = start_emulator(root=str(dist), db_path=str(tmp / "portal.sqlite3"))
    yield dist, emulator
    emulator.stop()


TRANSFERS = """name => performance.getEntriesByType("resource")
  .filter(entry => entry.name.endsWith("/" + name)).map(entry => entry.transferSize)"""


def test_a_built_app_gets_its_hashed_snapshot_once_then_from_the_cache_without_asking(
    b24, built_demo
):
    dist, emulator = built_demo
    [name] = [p.name for p in (dist / "static/vendor/pyb24").glob("pyb24-*.snapshot")]
    portal = Portal(b24.page, emulator)
    transfers = []
    for _visit in range(2):
        app = portal.open(app="/index.html").app
        app.wait_for_selector("#app:not([hidden])", timeout=BOOT_TIMEOUT_MS)
        assert boot_state(app)["snapshot"] == "restored"
        transfers.append(app.evaluate(TRANSFERS, name))
    assert len(transfers[0]) == 1 and transfers[0][0] > 1_000_000  # downloaded, compressed
    assert transfers[1] == [0]  # from the HTTP cache: no request, not even a 304


def test_a_built_app_whose_hashed_snapshot_is_gone_boots_normally(b24, built_demo):
    _dist, emulator = built_demo
    b24.page.route("**/static/vendor/pyb24/pyb24-*.snapshot", FALLBACKS["absent"][0])
    app = Portal(b24.page, emulator).open(app="/index.html").app
    app.wait_for_selector("#app:not([hidden])", timeout=BOOT_TIMEOUT_MS)
    assert boot_state(app)["snapshot"] == "absent"
