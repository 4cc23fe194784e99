"""Precompressed twins (``file.br``, ``file.gz``) of the runtime and the start-up snapshot.

``pyb24 build`` writes them beside ``static/vendor/**`` so a host sends each file compressed
without compressing it on every request (nginx ``brotli_static on; gzip_static on;``, a CDN,
or the emulator: ``portal_emulator.server`` sends a fresh twin the browser accepts). A twin
is written only where it saves at least a tenth (not for ``python_stdlib.zip``, already
deflated). Brotli at quality 9 (the larger quality 11 shaves another ~15% but takes minutes
for Pyodide's wasm and the snapshot on a 2-core machine); gzip at 9. The twins are
content-addressed in the per-machine cache, so a rebuild compresses only what changed.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import brotli

from . import assets

TWINS = (".br", ".gz")  # what a twin's name adds; also never compressed again
MIN_SIZE = 1024
WORTH = 0.9  # a twin must be at most this share of the file
BROTLI_QUALITY = 9
GZIP_LEVEL = 9
_LAYOUT = b"twins1"  # bump when the levels change: the cache keys change with it


def compressed(data: bytes) -> dict[str, bytes]:
    """``{".br": ..., ".gz": ...}`` for ``data``, each only where it is worth sending."""
    if len(data) < MIN_SIZE:
        return {}
    key = hashlib.sha256(_LAYOUT + data).hexdigest()[:32]
    folder = assets.cache_root() / "twins"
    twins = {}
    for suffix, pack in ((".br", _brotli), (".gz", _gzip)):
        cached = folder / (key + suffix)
        if cached.is_file():
            body = cached.read_bytes()
        else:
            body = pack(data)
            folder.mkdir(parents=True, exist_ok=True)
            assets._write_atomically(cached, body)
        if len(body) <= WORTH * len(data):
            twins[suffix] = body
    return twins


def write_twins(folder: Path) -> int:
    """Write the twins of every file under ``folder``; returns how many were written."""
    written = 0
    for file in sorted(folder.rglob("*")):
        if not file.is_file() or file.suffix in TWINS:
            continue
        for suffix, body in compressed(file.read_bytes()).items():
            twin = file.with_name(file.name + suffix)
            twin.write_bytes(body)
            written += 1
    return written


def _brotli(data: bytes) -> bytes:
    return bytes(brotli.compress(data, quality=BROTLI_QUALITY))


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)
