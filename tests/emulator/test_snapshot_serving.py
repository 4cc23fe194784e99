"""How the emulated portal serves the start-up snapshot: gzip twin, ETag, revalidation."""

from __future__ import annotations

import gzip
import os
import urllib.error
import urllib.request

import pytest

from portal_emulator.server import start_emulator

SNAPSHOT = "/static/vendor/pyb24/pyb24.snapshot"
DATA = b"pyb24-snapshot1\n" + bytes(range(256)) * 400


@pytest.fixture
def emu(tmp_path):
    folder = tmp_path / "static/vendor/pyb24"
    folder.mkdir(parents=True)
    (folder / "pyb24.snapshot").write_bytes(DATA)
    (folder / "pyb24.snapshot.gz").write_bytes(gzip.compress(DATA, mtime=0))
    emulator = start_emulator(root=tmp_path, db_path=tmp_path / "portal.sqlite3")
    yield emulator
    emulator.stop()


def get(url, **headers):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def test_gzip_twin_is_sent_encoded_to_who_accepts_it(emu):
    status, headers, body = get(emu.app_origin + SNAPSHOT, **{"Accept-Encoding": "gzip, br"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == DATA and int(headers["Content-Length"]) == len(body)
    assert headers["Vary"] == "Accept-Encoding"
    assert headers["Content-Type"] == "application/octet-stream"


def test_plain_file_to_who_does_not(emu):
    status, headers, body = get(emu.app_origin + SNAPSHOT)
    assert status == 200 and body == DATA and headers["Content-Encoding"] is None
    assert headers["Vary"] == "Accept-Encoding"


def test_revalidated_each_load_by_etag(emu):
    _, headers, _ = get(emu.app_origin + SNAPSHOT, **{"Accept-Encoding": "gzip"})
    assert headers["Cache-Control"] == "no-cache"  # a rebuilt snapshot is seen at once
    again = get(
        emu.app_origin + SNAPSHOT,
        **{"Accept-Encoding": "gzip"},
        **{"If-None-Match": headers["ETag"]},
    )
    assert again[0] == 304 and again[2] == b""
    other = get(emu.app_origin + SNAPSHOT, **{"Accept-Encoding": "gzip", "If-None-Match": '"x"'})
    assert other[0] == 200


def test_a_twin_older_than_its_file_is_ignored(emu):
    folder = emu.root / "static/vendor/pyb24"
    twin = folder / "pyb24.snapshot.gz"
    os.utime(twin, (1, 1))
    status, headers, body = get(emu.app_origin + SNAPSHOT, **{"Accept-Encoding": "gzip"})
    assert status == 200 and body == DATA and headers["Content-Encoding"] is None


def test_a_brotli_twin_is_preferred_where_accepted_and_refused_by_q0(emu):
    import brotli

    folder = emu.root / "static/vendor/pyb24"
    (folder / "pyb24.snapshot.br").write_bytes(brotli.compress(DATA))
    status, headers, body = get(emu.app_origin + SNAPSHOT, **{"Accept-Encoding": "gzip, br"})
    assert status == 200 and headers["Content-Encoding"] == "br"
    assert brotli.decompress(body) == DATA and headers["Vary"] == "Accept-Encoding"
    status, headers, body = get(emu.app_origin + SNAPSHOT, **{"Accept-Encoding": "br;q=0, gzip"})
    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body) == DATA


def test_a_snapshot_named_by_its_content_is_cached_for_good_the_plain_one_revalidated(emu):
    hashed = "/static/vendor/pyb24/pyb24-0123456789abcdef.snapshot"
    (emu.root / hashed.lstrip("/")).write_bytes(DATA)
    status, headers, body = get(emu.app_origin + hashed)
    assert status == 200 and body == DATA
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert get(emu.app_origin + SNAPSHOT)[1]["Cache-Control"] == "no-cache"
